"""Background XLSX exports of large ticket lists: state in the cache, the file under MEDIA_ROOT."""

import shutil
import uuid
from datetime import date
from pathlib import Path

from django.conf import settings
from django.core.cache import cache

JOB_TTL = 6 * 3600


def _key(job_id: str) -> str:
    return f"report-export:{job_id}"


def export_dir() -> Path:
    path = Path(settings.MEDIA_ROOT) / "report-exports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def file_path(job_id: str) -> Path:
    return export_dir() / f"{uuid.UUID(job_id).hex}.xlsx"


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
    with file_path(job_id).open("wb") as out:
        shutil.copyfileobj(handle, out)
