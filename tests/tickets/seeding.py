"""Transactional tests flush the database, taking the migration-seeded categories with them."""

import importlib

from django.apps import apps
from django.db import connection


def reseed_categories() -> None:
    """Run the seeding step of the categories migration again (idempotent)."""
    migration = importlib.import_module("tickets.migrations.0002_seed_categories_groups_sequence")
    with connection.schema_editor() as editor:
        migration.seed(apps, editor)
