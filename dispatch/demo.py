"""Demo technicians for tech1…tech4: on duty, with positions around Balikpapan, so routing shows at once."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from tickets.models import ServiceUnit

from .models import Technician

# (username, unit code, lat, lng, skills, job limit)
TECHNICIANS = [
    ("tech1", "ULP-BPP-UTARA", -1.2085, 116.8690, ["lv", "meter"], 2),
    ("tech2", "ULP-BPP-SELATAN", -1.2660, 116.8870, ["lv", "meter"], 2),
    ("tech3", "ULP-BPP-BARAT", -1.2300, 116.8180, ["lv", "mv"], 1),
    ("tech4", "ULP-BPP-UTARA", -1.2200, 116.8800, ["lv", "mv", "meter"], 1),
]


@transaction.atomic
def seed() -> int:
    """Create (or refresh) the demo technicians; their positions are stamped now so they are fresh."""
    User = get_user_model()
    now = timezone.now()
    count = 0
    for username, unit_code, lat, lng, skills, limit in TECHNICIANS:
        user = User.objects.filter(username=username).first()
        unit = ServiceUnit.objects.filter(code=unit_code).first()
        if user is None or unit is None:
            continue
        tech, _created = Technician.objects.get_or_create(user=user, defaults={"unit": unit})
        tech.unit = unit
        tech.skills = skills
        tech.job_limit = limit
        tech.on_duty = True
        tech.shift_ends_at = now + timedelta(hours=8)
        tech.last_lat, tech.last_lng, tech.last_accuracy_m = lat, lng, 15.0
        tech.last_position_at = now
        tech.active_jobs = tech.assignments.filter(state__in=tech.assignments.model.LIVE_STATES).count()
        tech.state = Technician.State.BUSY if tech.active_jobs >= limit else Technician.State.AVAILABLE
        tech.save()
        count += 1
    return count
