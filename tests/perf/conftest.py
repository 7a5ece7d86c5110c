"""Query counts must not depend on what an earlier test in the same run happened to cache."""

import pytest


@pytest.fixture(autouse=True)
def _content_types_known(db):
    """The audit log reads each model's content type once per process; read them all before any count."""
    from django.apps import apps
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.get_for_models(*apps.get_models())
