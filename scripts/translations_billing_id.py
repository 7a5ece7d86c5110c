# ruff: noqa: E501  (a table of sentences)
"""Indonesian translations of the billing app (billing/locale), including the few strings billing adds to
the call-centre console, the KPI page, the reports and the SMS texts (kept in billing's catalog so the other
apps' catalogs stay untouched).

Run after makemessages (cd billing && django-admin makemessages -l id --no-location):
python scripts/translations_billing_id.py. Fills empty msgstr entries from the table below, adds EXTRA entries
and compiles the .mo file.
"""

import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
CATALOG = ROOT / "billing" / "locale" / "id" / "LC_MESSAGES" / "django.po"

TABLE = {
    "Billing": "Tagihan",
    "ID pelanggan": "ID pelanggan",
    "12 digits, printed on your meter and your bill.": "12 digit, tertera di meter dan rekening Anda.",
    "What the file holds": "Isi berkas",
    "CSV file (UTF-8)": "Berkas CSV (UTF-8)",
    "Dry run: check only, write nothing": "Uji coba: hanya periksa, tidak menyimpan",
    "Import the good lines and skip the bad ones": "Impor baris yang benar dan lewati yang salah",
    "Bill month": "Bulan rekening",
    "Corrected amount (Rp)": "Jumlah setelah koreksi (Rp)",
    "Reason": "Alasan",
    "What the meter shows": "Tampilan di meter",
    "Step": "Langkah",
    "Purchase": "Pembelian",
    "Note": "Catatan",
    "Answer for the customer": "Jawaban untuk pelanggan",
    "Visit from": "Kunjungan mulai",
    "Visit until": "Kunjungan sampai",
    "Note for the technician": "Catatan untuk teknisi",
    "This field is required.": "Isian ini wajib diisi.",
    "ID pelanggan must be exactly 12 digits.": "ID pelanggan harus tepat 12 digit.",
    "Enter a whole number.": "Isi bilangan bulat.",
    "Must be at least %(min)s.": "Minimal %(min)s.",
    "Enter a number (a dot for decimals, no thousands separator).": "Isi angka (titik untuk desimal, tanpa pemisah ribuan).",
    "Enter a number that is not negative.": "Isi angka yang tidak negatif.",
    "Enter a decimal coordinate.": "Isi koordinat desimal.",
    "Out of range.": "Di luar rentang.",
    "Enter a date as YYYY-MM-DD.": "Isi tanggal dengan format YYYY-MM-DD.",
    "Enter a date and time as YYYY-MM-DDTHH:MM[:SS][+08:00].": "Isi tanggal dan jam dengan format YYYY-MM-DDTHH:MM[:SS][+08:00].",
    "At most 120 characters.": "Paling banyak 120 karakter.",
    "At most 255 characters.": "Paling banyak 255 karakter.",
    "Unknown tariff class %(value)s.": "Golongan tarif %(value)s tidak dikenal.",
    "Write prepaid or postpaid.": "Tulis prepaid atau postpaid.",
    "A meter number must be exactly 11 digits.": "Nomor meter harus tepat 11 digit.",
    "A prepaid customer needs a meter number.": "Pelanggan prabayar wajib punya nomor meter.",
    "Unknown ULP code %(value)s.": "Kode ULP %(value)s tidak dikenal.",
    "Not a valid Indonesian phone number.": "Bukan nomor telepon Indonesia yang valid.",
    "Enter the month as YYYY-MM.": "Isi bulan dengan format YYYY-MM.",
    "The end reading is below the start reading.": "Angka akhir meter lebih kecil dari angka awal.",
    "At most 40 characters.": "Paling banyak 40 karakter.",
    "A token is 20 digits.": "Token terdiri dari 20 digit.",
    "Line %(line)s is not UTF-8 text; save the file as UTF-8 CSV.": "Baris %(line)s bukan teks UTF-8; simpan berkas sebagai CSV UTF-8.",
    "The file is empty.": "Berkas kosong.",
    "missing columns: %(names)s": "kolom yang kurang: %(names)s",
    "unknown columns: %(names)s": "kolom tidak dikenal: %(names)s",
    "Line 1 (header): %(problems)s. Expected: %(expected)s.": "Baris 1 (judul kolom): %(problems)s. Seharusnya: %(expected)s.",
    "%(count)s bad lines: nothing was imported. Fix them, or import again skipping them.": "%(count)s baris salah: tidak ada yang diimpor. Perbaiki, atau impor lagi dengan melewati baris yang salah.",
    "Dry run: nothing was written.": "Uji coba: tidak ada yang disimpan.",
    "Imported: %(new)s new, %(changed)s changed, %(same)s unchanged.": "Diimpor: %(new)s baru, %(changed)s berubah, %(same)s tetap.",
    "Wrong number of columns.": "Jumlah kolom salah.",
    "This ID pelanggan appears earlier in the file.": "ID pelanggan ini sudah ada di baris sebelumnya.",
    "A bill of this customer and month appears earlier in the file.": "Rekening pelanggan dan bulan ini sudah ada di baris sebelumnya.",
    "This transaction reference appears earlier in the file.": "Nomor referensi transaksi ini sudah ada di baris sebelumnya.",
    "This meter number appears earlier in the file.": "Nomor meter ini sudah ada di baris sebelumnya.",
    "This meter number belongs to another customer.": "Nomor meter ini milik pelanggan lain.",
    "No customer has this ID pelanggan.": "Tidak ada pelanggan dengan ID pelanggan ini.",
    "This meter number is not the customer's.": "Nomor meter ini bukan milik pelanggan tersebut.",
    "Customers": "Pelanggan",
    "Bills": "Rekening",
    "Token purchases": "Pembelian token",
    "Waiting": "Menunggu",
    "Checking lines": "Memeriksa baris",
    "Writing": "Menyimpan",
    "Done": "Selesai",
    "Rejected: bad lines, nothing imported": "Ditolak: ada baris salah, tidak ada yang diimpor",
    "Failed: nothing imported": "Gagal: tidak ada yang diimpor",
    "kind": "jenis",
    "status": "status",
    "file": "berkas",
    "dry run": "uji coba",
    "skip bad lines": "lewati baris salah",
    "lines read": "baris dibaca",
    "lines written": "baris disimpan",
    "bad lines": "baris salah",
    "new": "baru",
    "changed": "berubah",
    "unchanged": "tetap",
    "bad lines (first 500)": "baris salah (500 pertama)",
    "message": "pesan",
    "import job": "impor",
    "import jobs": "impor",
    "customers served per unit": "jumlah pelanggan per unit",
    "period": "periode",
    "The first day of the billed month.": "Tanggal 1 bulan yang ditagih.",
    "meter reading at start": "angka meter awal",
    "meter reading at end": "angka meter akhir",
    "kWh": "kWh",
    "amount (Rp)": "jumlah (Rp)",
    "late fee (Rp)": "denda keterlambatan (Rp)",
    "due date": "jatuh tempo",
    "paid at": "dibayar pada",
    "bill": "rekening",
    "bills": "rekening",
    "transaction reference": "referensi transaksi",
    "meter number": "nomor meter",
    "purchased at": "dibeli pada",
    "token (last 4 digits)": "token (4 digit terakhir)",
    "token purchase": "pembelian token",
    "token purchases": "pembelian token",
    "old amount (Rp)": "jumlah lama (Rp)",
    "new amount (Rp)": "jumlah baru (Rp)",
    "reason": "alasan",
    "due (TMP bill-correction time)": "batas waktu (TMP koreksi rekening)",
    "within the TMP time": "dalam batas waktu TMP",
    "CIS reference": "referensi CIS",
    "bill correction": "koreksi rekening",
    "bill corrections": "koreksi rekening",
    "Token re-sent": "Token dikirim ulang",
    "Key-change token (KCT) issued": "Token ganti kunci (KCT) diterbitkan",
    "Meter check ordered": "Pemeriksaan meter dipesan",
    "Meter reset / clear tamper code": "Reset meter / hapus kode tamper",
    "GAGAL: the token was not accepted": "GAGAL: token tidak diterima",
    "REJECT: wrong meter or key": "REJECT: meter atau kunci salah",
    "USED: the token was already entered": "USED: token sudah pernah dimasukkan",
    "OVER: the credit would exceed the meter's limit": "OVER: kredit melebihi batas meter",
    "PERIKSA: the meter asks for a check": "PERIKSA: meter minta diperiksa",
    "meter message": "tampilan meter",
    "step": "langkah",
    "note": "catatan",
    "token remedy": "penanganan token",
    "token remedies": "penanganan token",
    "tariff class": "golongan tarif",
    "from (VA)": "dari (VA)",
    "up to (VA)": "sampai (VA)",
    "Empty: no limit.": "Kosong: tanpa batas.",
    "Rp per kVA per month": "Rp per kVA per bulan",
    "valid from": "berlaku mulai",
    "valid until": "berlaku sampai",
    "source": "sumber",
    "biaya beban": "biaya beban",
    "The upper limit must not be below the lower one.": "Batas atas tidak boleh di bawah batas bawah.",
    "The end date must come after the start date.": "Tanggal akhir harus setelah tanggal mulai.",
    "This overlaps the version valid from %(date)s.": "Ini tumpang tindih dengan versi yang berlaku mulai %(date)s.",
    "meter reading (kWh)": "angka meter (kWh)",
    "photo of the register": "foto register",
    "outcome": "hasil",
    "meter check": "pemeriksaan meter",
    "meter checks": "pemeriksaan meter",
    "The billing system is not answering; try again in a few minutes.": "Sistem tagihan tidak menjawab; coba lagi beberapa menit lagi.",
    "The billing system gave an answer we cannot read; try again later.": "Sistem tagihan memberi jawaban yang tidak dapat dibaca; coba lagi nanti.",
    "Enter the ID pelanggan.": "Isi ID pelanggan.",
    "ID pelanggan has only digits; this one has a letter or a sign.": "ID pelanggan hanya berisi angka; yang ini mengandung huruf atau tanda.",
    "ID pelanggan must be exactly 12 digits (this one has %(count)s).": "ID pelanggan harus tepat 12 digit (yang ini %(count)s).",
    "Unknown import kind.": "Jenis impor tidak dikenal.",
    "The information-given category is not set up.": "Kategori informasi tagihan belum disiapkan.",
    "Bill information given on the call.": "Informasi tagihan diberikan melalui telepon.",
    "Information given on the call.": "Informasi sudah diberikan melalui telepon.",
    "This ticket is not a billing complaint.": "Laporan ini bukan pengaduan tagihan.",
    "The ticket is closed.": "Laporan sudah ditutup.",
    "The ticket has no customer: link the ID pelanggan first.": "Laporan belum terkait pelanggan: hubungkan ID pelanggan dulu.",
    "Give the reason for the correction.": "Sebutkan alasan koreksi.",
    "There is no bill of this customer for that month.": "Tidak ada rekening pelanggan ini untuk bulan tersebut.",
    "The amount cannot be negative.": "Jumlah tidak boleh negatif.",
    "The new amount is the same as the bill.": "Jumlah baru sama dengan rekening.",
    "Bill correction for %(period)s: Rp %(old)s → Rp %(new)s. %(reason)s": "Koreksi rekening %(period)s: Rp %(old)s → Rp %(new)s. %(reason)s",
    "A correction for this month was already issued on this ticket.": "Koreksi untuk bulan ini sudah diterbitkan pada laporan ini.",
    "Choose a step.": "Pilih langkah.",
    "Choose what the meter shows.": "Pilih tampilan di meter.",
    "This purchase is not the customer's.": "Pembelian ini bukan milik pelanggan tersebut.",
    "Choose the purchase whose token is re-sent.": "Pilih pembelian yang tokennya dikirim ulang.",
    "Record the step taken before solving the complaint.": "Catat langkah yang diambil sebelum menyelesaikan pengaduan.",
    "Read the meter and photograph its register (billing complaint).": "Baca meter dan foto registernya (pengaduan tagihan).",
    "Meter check: the technician read %(reading)s kWh on the register (photo kept).": "Pemeriksaan meter: petugas membaca %(reading)s kWh pada register (foto disimpan).",
    "Meter check failed: %(reason)s": "Pemeriksaan meter gagal: %(reason)s",
    "Amount due": "Jumlah tagihan",
    "pay by": "bayar sebelum",
    "Paid": "Lunas",
    "Unpaid": "Belum dibayar",
    "No bills or token purchases found.": "Tidak ada rekening atau pembelian token.",
    "Nothing to pay.": "Tidak ada tagihan.",
    "Last token purchases": "Pembelian token terakhir",
    "Information given": "Informasi diberikan",
    "Recorded, closed at first contact:": "Tercatat, selesai pada kontak pertama:",
    "Could not load the bills.": "Rekening tidak dapat dimuat.",
    "Disputed bill": "Rekening yang dipersoalkan",
    "Month": "Bulan",
    "Amount": "Jumlah",
    "6-month average": "Rata-rata 6 bulan",
    "%(n)s months": "%(n)s bulan",
    "Against the average": "Dibanding rata-rata",
    "No bills of this customer are known.": "Belum ada rekening pelanggan ini.",
    "Corrected": "Dikoreksi",
    "after the TMP time": "melewati batas waktu TMP",
    "Issue a bill correction": "Terbitkan koreksi rekening",
    "Issue correction": "Terbitkan koreksi",
    "No purchases of this customer are known.": "Belum ada pembelian token pelanggan ini.",
    "Steps taken": "Langkah yang diambil",
    "Take a step": "Ambil langkah",
    "Record step": "Catat langkah",
    "Solved": "Selesai ditangani",
    "Meter check": "Pemeriksaan meter",
    "reading": "angka meter",
    "bill end reading": "angka akhir di rekening",
    "No meter check ordered.": "Belum ada pemeriksaan meter.",
    "Order a meter check": "Pesan pemeriksaan meter",
    "Order meter check": "Pesan pemeriksaan meter",
    "Import from the CIS": "Impor dari CIS",
    "Customers, bills or token purchases as UTF-8 CSV with a header line (layouts in docs/billing.md). Customers are matched by ID pelanggan: importing the same file again changes nothing. A file with bad lines imports nothing unless you choose to skip them.": "Pelanggan, rekening atau pembelian token sebagai CSV UTF-8 dengan baris judul kolom (format di docs/billing.md). Pelanggan dicocokkan dengan ID pelanggan: mengimpor berkas yang sama lagi tidak mengubah apa pun. Berkas dengan baris salah tidak diimpor sama sekali kecuali Anda memilih melewatinya.",
    "Upload and import": "Unggah dan impor",
    "Recent imports": "Impor terakhir",
    "When": "Waktu",
    "Kind": "Jenis",
    "File": "Berkas",
    "Status": "Status",
    "No imports yet.": "Belum ada impor.",
    "Import": "Impor",
    "Lines read": "Baris dibaca",
    "written": "disimpan",
    "New": "Baru",
    "Bad lines": "Baris salah",
    "Line": "Baris",
    "Field": "Kolom",
    "The first %(shown)s of %(total)s bad lines.": "%(shown)s pertama dari %(total)s baris salah.",
    "Info tagihan": "Info tagihan",
    "Your last bills or token purchases. Only the ID pelanggan is needed; names are shown masked.": "Rekening atau pembelian token terakhir Anda. Cukup ID pelanggan; nama ditampilkan tersamar.",
    "Show my bills": "Lihat tagihan saya",
    "Prepaid (token)": "Prabayar (token)",
    "Postpaid": "Pascabayar",
    "The billing system is not answering; this is its last known answer.": "Sistem tagihan tidak menjawab; ini jawaban terakhir yang diketahui.",
    "No bills or token purchases found for this ID pelanggan. Check the number on your meter, or call 123.": "Tidak ada rekening atau pembelian token untuk ID pelanggan ini. Periksa nomor di meter Anda, atau hubungi 123.",
    "Pay by": "Bayar sebelum",
    "Nothing to pay: every bill is paid.": "Tidak ada tagihan: semua rekening sudah lunas.",
    "Due": "Jatuh tempo",
    "Time": "Waktu",
    "Token": "Token",
    "Bill looks wrong?": "Tagihan terasa salah?",
    "Report it": "Laporkan",
    "Correction issued; the customer is told by SMS.": "Koreksi diterbitkan; pelanggan diberi tahu lewat SMS.",
    "Step recorded.": "Langkah dicatat.",
    "Solved; the clock has stopped.": "Selesai; waktu layanan berhenti.",
    "Meter check ordered; the technician's reading will appear here.": "Pemeriksaan meter dipesan; angka meter dari petugas akan muncul di sini.",
    "Unknown action.": "Tindakan tidak dikenal.",
    "kWh per month": "kWh per bulan",
}

# Strings billing adds outside its own folder (console API, KPI page, reports, SMS, menu).
EXTRA = {
    "Pick the call, or the customer needs a phone number.": "Pilih panggilannya, atau pelanggan perlu punya nomor telepon.",
    "Resolved at first contact": "Selesai pada kontak pertama",
    "PLN 123: your bill for %(period)s is corrected from Rp %(old)s to Rp %(new)s (report %(number)s).": "PLN 123: rekening Anda bulan %(period)s dikoreksi dari Rp %(old)s menjadi Rp %(new)s (laporan %(number)s).",
    "Bill corrected": "Rekening dikoreksi",
    "Compensation in rupiah": "Kompensasi dalam rupiah",
    "Compensation in rupiah, per customer, with the CIS export": "Kompensasi dalam rupiah per pelanggan, dengan ekspor untuk CIS",
    "Per customer and month the one indicator with the largest amount, as a percentage of the biaya beban of the customer's tariff and power. Postpaid: deducted from the next bill; prepaid: credited on the next token.": "Per pelanggan dan bulan satu indikator dengan jumlah terbesar, sebagai persentase biaya beban sesuai tarif dan daya pelanggan. Pascabayar: dipotong dari rekening berikutnya; prabayar: ditambahkan pada token berikutnya.",
    "Export for the CIS (CSV)": "Ekspor untuk CIS (CSV)",
    "Indicator": "Indikator",
    "Biaya beban": "Biaya beban",
    "Settled as": "Diselesaikan sebagai",
    "Next token credit": "Tambahan pada token berikutnya",
    "Next bill deduction": "Potongan rekening berikutnya",
    "No compensation this month.": "Tidak ada kompensasi bulan ini.",
    "Unknown unit.": "Unit tidak dikenal.",
    "Reports": "Laporan",
    "Show": "Tampilkan",
}
PLURALS = {
    (
        "%(n)s customer has no biaya beban for their tariff and power: add it in the admin.",
        "%(n)s customers have no biaya beban for their tariff and power: add it in the admin.",
    ): "%(n)s pelanggan belum punya biaya beban untuk tarif dan dayanya: tambahkan di admin.",
}


def main() -> int:
    po = polib.pofile(str(CATALOG))
    for entry in po.obsolete_entries():
        po.remove(entry)
    present = {entry.msgid for entry in po}
    for msgid, msgstr in EXTRA.items():
        if msgid not in present:
            po.append(polib.POEntry(msgid=msgid, msgstr=msgstr))
    for (singular, plural), msgstr in PLURALS.items():
        if singular not in present:
            po.append(polib.POEntry(msgid=singular, msgid_plural=plural, msgstr_plural={0: msgstr}))
    missing = []
    for entry in po:
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
            entry.msgstr = ""
        if entry.msgid_plural:
            if not entry.msgstr_plural.get(0):
                entry.msgstr_plural = {0: PLURALS.get((entry.msgid, entry.msgid_plural), "")}
            if not entry.msgstr_plural.get(0):
                missing.append(entry.msgid)
            continue
        if not entry.msgstr:
            entry.msgstr = TABLE.get(entry.msgid) or EXTRA.get(entry.msgid, "")
        if not entry.msgstr:
            missing.append(entry.msgid)
    po.metadata["Language"] = "id"
    po.metadata["Content-Type"] = "text/plain; charset=UTF-8"
    po.metadata["Plural-Forms"] = "nplurals=1; plural=0;"
    po.save(str(CATALOG))
    po.save_as_mofile(str(CATALOG.with_suffix(".mo")))
    for msgid in missing:
        print("untranslated:", msgid)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
