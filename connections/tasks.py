"""Celery tasks of connections: the export of customer changes for the billing provider."""

from celery import shared_task


@shared_task(name="connections.export_customer_changes")
def export_customer_changes(path: str) -> int:
    """Write the customer changes not exported yet to a CSV file at ``path``; returns how many rows."""
    from .export import write_csv

    with open(path, "w", newline="", encoding="utf-8") as handle:
        return write_csv(handle)
