"""The one table of stage moves of an application, and what each stage means for its ticket.

Permohonan → Survei → Penetapan biaya → Pembayaran → SLO & kontrak (SPJBTL) → Pemasangan → Nyala → Selesai;
Ditolak (rejected, with a reason) before the customer pays, Dibatalkan (cancelled, with a reason) until the
power is on. Any move not listed is refused (409). Pembayaran → Penetapan biaya sets the fee again (e.g. the
programme quoted has ended before the customer paid).
"""

from tickets.models import Ticket

from .models import Stage

S = Stage
T = Ticket.Status

TRANSITIONS: dict[str, frozenset[str]] = {
    S.PERMOHONAN: frozenset({S.SURVEI, S.DITOLAK, S.DIBATALKAN}),
    S.SURVEI: frozenset({S.PENETAPAN_BIAYA, S.DITOLAK, S.DIBATALKAN}),
    S.PENETAPAN_BIAYA: frozenset({S.PEMBAYARAN, S.DITOLAK, S.DIBATALKAN}),
    S.PEMBAYARAN: frozenset({S.SLO_KONTRAK, S.PENETAPAN_BIAYA, S.DIBATALKAN}),
    S.SLO_KONTRAK: frozenset({S.PEMASANGAN, S.DIBATALKAN}),
    S.PEMASANGAN: frozenset({S.NYALA, S.DIBATALKAN}),
    S.NYALA: frozenset({S.SELESAI}),
    S.SELESAI: frozenset(),
    S.DITOLAK: frozenset(),
    S.DIBATALKAN: frozenset(),
}

# The main path, in order (the tracking page's progress).
PATH = [S.PERMOHONAN, S.SURVEI, S.PENETAPAN_BIAYA, S.PEMBAYARAN, S.SLO_KONTRAK, S.PEMASANGAN, S.NYALA, S.SELESAI]
ENDED = frozenset({S.SELESAI, S.DITOLAK, S.DIBATALKAN})
NEEDS_REASON = frozenset({S.DITOLAK, S.DIBATALKAN})

# The ticket's status in each stage: waiting for the customer (payment, SLO) pauses the TMP clock; energising
# resolves the ticket (the clock stops: TMP counts to the power being on).
TICKET_STATUS: dict[str, str] = {
    S.PERMOHONAN: T.RECEIVED,
    S.SURVEI: T.IN_PROGRESS,
    S.PENETAPAN_BIAYA: T.IN_PROGRESS,
    S.PEMBAYARAN: T.WAITING_CUSTOMER,
    S.SLO_KONTRAK: T.WAITING_CUSTOMER,
    S.PEMASANGAN: T.IN_PROGRESS,
    S.NYALA: T.RESOLVED,
    S.SELESAI: T.CLOSED,
    S.DITOLAK: T.CANCELLED,
    S.DIBATALKAN: T.CANCELLED,
}

# Stages where the customer may still send a missing document.
UPLOAD_STAGES = frozenset({S.PERMOHONAN, S.SURVEI, S.PENETAPAN_BIAYA, S.PEMBAYARAN, S.SLO_KONTRAK})


def can_move(from_stage: str, to_stage: str) -> bool:
    return to_stage in TRANSITIONS.get(from_stage, frozenset())


def allowed_next(stage: str) -> frozenset[str]:
    return TRANSITIONS.get(stage, frozenset())
