from billing.models import ImportJob

from ._base import ImportCommand


class Command(ImportCommand):
    help = "Import customers from a CIS CSV file (upsert; --dry-run checks only; bad lines reject the file)."
    kind = ImportJob.Kind.CUSTOMERS
