"""factory_boy factories for the domain models."""

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from tickets.models import Category, Customer, ServiceUnit, StaffProfile, Ticket, TicketEvent
from tickets.numbering import new_ticket_number


class ServiceUnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceUnit
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"ULP-T{n:03d}")
    name = factory.LazyAttribute(lambda o: f"ULP {o.code}")
    level = ServiceUnit.Level.ULP
    time_zone = "Asia/Makassar"
    center_lat = -1.2379
    center_lng = 116.8529


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    password = factory.PostGenerationMethodCall("set_password", "test-password-123")

    @factory.post_generation
    def roles(obj, create, extracted, **kwargs):
        for name in extracted or []:
            obj.groups.add(Group.objects.get_or_create(name=name)[0])
        if create:
            obj.save()


def make_staff(*, role: str, unit: ServiceUnit, username: str | None = None):
    """A staff user with one role, attached to ``unit``."""
    user = UserFactory(username=username or f"{role}-{unit.code}".lower(), roles=[role])
    StaffProfile.objects.update_or_create(user=user, defaults={"unit": unit})
    return user


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    id_pelanggan = factory.Sequence(lambda n: f"5399{n:08d}")
    meter_number = factory.Sequence(lambda n: f"149{n:08d}")
    name = factory.Faker("name")
    phone = factory.Sequence(lambda n: f"+62813{n:08d}")
    address = "Jl. Jenderal Sudirman No. 1"
    lat = -1.2379
    lng = 116.8529
    unit = factory.SubFactory(ServiceUnitFactory)
    transformer_code = "GD-001"
    feeder_code = "PY-01"


def category(code: str) -> Category:
    """A seeded category (the data migration loads docs/domain.md §4)."""
    return Category.objects.get(code=code)


class TicketFactory(factory.django.DjangoModelFactory):
    """A ticket written directly, for tests of reads. Tests of writes call tickets.services."""

    class Meta:
        model = Ticket
        skip_postgeneration_save = True

    category = factory.LazyFunction(lambda: category("GG-PADAM-1"))
    kind = factory.LazyAttribute(lambda o: o.category.kind)
    channel = Ticket.Channel.WEB
    unit = factory.SubFactory(ServiceUnitFactory)
    number = factory.LazyAttribute(lambda o: new_ticket_number(timezone.now(), o.unit.time_zone))
    reporter_phone = factory.Sequence(lambda n: f"+62815{n:08d}")
    reporter_name = factory.Faker("name")
    description = "Listrik padam sejak jam 7 malam"
    lat = -1.2379
    lng = 116.8529

    @factory.post_generation
    def opened_event(obj, create, extracted, **kwargs):
        if create:
            TicketEvent.objects.create(ticket=obj, kind=TicketEvent.Kind.OPENED, is_public=True, to_status=obj.status)


class TechnicianFactory(factory.django.DjangoModelFactory):
    """An on-duty technician with a fresh position in Balikpapan (dispatch)."""

    class Meta:
        model = "dispatch.Technician"

    user = factory.SubFactory(UserFactory)
    unit = factory.SubFactory(ServiceUnitFactory)
    skills = factory.LazyFunction(lambda: ["lv"])
    on_duty = True
    state = "available"
    job_limit = 1
    active_jobs = 0
    last_lat = -1.2120
    last_lng = 116.8720
    last_position_at = factory.LazyFunction(timezone.now)
    last_accuracy_m = 10.0
