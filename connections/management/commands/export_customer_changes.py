"""Write the customer changes (new accounts, power changes) not exported yet as CSV for the billing provider.

manage.py export_customer_changes            # to stdout, marks the rows exported
manage.py export_customer_changes --dry-run  # to stdout, leaves them for the next run
"""

from django.core.management.base import BaseCommand

from connections.export import write_csv


class Command(BaseCommand):
    help = "Export new accounts and power changes for the billing provider (CSV on stdout)."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Do not mark the rows exported.")

    def handle(self, *args, dry_run: bool = False, **options):
        count = write_csv(self.stdout, mark=not dry_run, header=True)
        self.stderr.write(f"{count} row(s)")
