"""Background XLSX exports of large ticket lists: state in the cache, the file in the default storage.

The worker that builds a file and the web node that serves it are usually different machines: the file goes
through Django's default storage (a shared MEDIA_ROOT, or an object store with ``MEDIA_STORAGE_BACKEND``),
never through a local path.
"""

import uuid
from datetime import date

from django.core.cache import cache
from django.core.files import File
from django.core.files.storage import storages

JOB_TTL = 6 * 3600


def _key(job_id: str) -> str:
    return f"report-export:{job_id}"


def file_name(job_id: str) -> str:
    return f"report-exports/{uuid.UUID(job_id).hex}.xlsx"


def create_job(*, user_id: int, unit_id: int | None, start: date, end: date, total: int) -> str:
    job_id = str(uuid.uuid4())
    cache.set(
        _key(job_id),
        {
            "user_id": user_id,
            "unit_id": unit_id,
            "start": start.isoformat(),
            "end": end.isoformat(),
            "total": total,
            "done": 0,
            "state": "queued",
        },
        JOB_TTL,
    )
    return job_id


def get_job(job_id: str) -> dict | None:
    try:
        uuid.UUID(job_id)
    except ValueError:
        return None
    return cache.get(_key(job_id))


def update_job(job_id: str, **changes) -> None:
    job = cache.get(_key(job_id)) or {}
    job.update(changes)
    cache.set(_key(job_id), job, JOB_TTL)


def save_file(job_id: str, handle) -> None:
    """Store the built file under the job's name (a second build replaces the first)."""
    storage = storages["default"]
    name = file_name(job_id)
    if storage.exists(name):
        storage.delete(name)
    handle.seek(0)
    saved = storage.save(name, File(handle, name=name))
    if saved != name:  # another build of the same job stored one at the same moment: keep one
        storage.delete(saved)


def open_file(job_id: str):
    """The built file, open for reading, or None if there is none (yet, or any more)."""
    storage = storages["default"]
    name = file_name(job_id)
    if not storage.exists(name):
        return None
    return storage.open(name, "rb")


def delete_file(job_id: str) -> None:
    storages["default"].delete(file_name(job_id))
