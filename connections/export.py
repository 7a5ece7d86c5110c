"""The customer-change export for the billing provider: CSV, one row per account opened or contract changed."""

import csv

from . import services


def write_csv(handle, *, mark: bool = True, header: bool = True) -> int:
    rows = services.take_export_rows(mark=mark)
    writer = csv.DictWriter(handle, fieldnames=services.EXPORT_COLUMNS)
    if header:
        writer.writeheader()
    writer.writerows(rows)
    return len(rows)
