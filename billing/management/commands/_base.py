"""Shared body of the import_customers / import_bills / import_tokens commands."""

from django.core.management.base import BaseCommand, CommandError

from billing import services
from billing.models import ImportJob


class ImportCommand(BaseCommand):
    kind: str = ""

    def add_arguments(self, parser):
        parser.add_argument("file", help="UTF-8 CSV with a header line (layouts in docs/billing.md)")
        parser.add_argument("--dry-run", action="store_true", help="check every line, write nothing")
        parser.add_argument("--skip-bad-lines", action="store_true", help="import the good lines, report the bad")

    def handle(self, *args, **options):
        try:
            job = services.import_file(
                kind=self.kind,
                path=options["file"],
                dry_run=options["dry_run"],
                skip_bad_lines=options["skip_bad_lines"],
            )
        except OSError as exc:
            raise CommandError(f"Cannot read {options['file']}: {exc.strerror or exc}") from None
        for error in job.errors:
            self.stderr.write(f"line {error['line']}: {error['field'] or '-'}: {error['reason']}")
        if job.bad_lines > len(job.errors):
            self.stderr.write(f"… and {job.bad_lines - len(job.errors)} more bad lines")
        summary = (
            f"{job.get_status_display()}: {job.lines_read} lines read, {job.bad_lines} bad, "
            f"{job.created} new, {job.updated} changed, {job.unchanged} unchanged. {job.message}"
        )
        if job.status != ImportJob.Status.DONE:
            raise CommandError(summary)
        self.stdout.write(self.style.SUCCESS(summary))
