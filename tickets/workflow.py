"""The one table of allowed status transitions, per kind of ticket.

Technical (gangguan) tickets follow what customers see in PLN Mobile: Lapor → Penugasan Regu →
Dalam Perjalanan → Dalam Pengerjaan → Nyala Sementara / Nyala → Selesai. Back-office and feedback
tickets follow received → in progress → waiting for the customer → resolved → closed. Cancelled
exists for both. Any transition not listed here is refused.
"""

from .models import Category, Ticket

S = Ticket.Status

TRANSITIONS: dict[str, dict[str, frozenset[str]]] = {
    Category.Kind.TECHNICAL: {
        S.RECEIVED: frozenset({S.ASSIGNED, S.RESTORED, S.CANCELLED}),
        S.ASSIGNED: frozenset({S.ON_THE_WAY, S.RECEIVED, S.RESTORED, S.CANCELLED}),
        S.ON_THE_WAY: frozenset({S.IN_PROGRESS, S.RECEIVED, S.RESTORED, S.CANCELLED}),
        S.IN_PROGRESS: frozenset({S.TEMPORARILY_RESTORED, S.RESTORED}),
        S.TEMPORARILY_RESTORED: frozenset({S.IN_PROGRESS, S.RESTORED}),
        S.RESTORED: frozenset({S.CLOSED}),
        S.CLOSED: frozenset(),
        S.CANCELLED: frozenset(),
    },
    Category.Kind.BACK_OFFICE: {
        S.RECEIVED: frozenset({S.IN_PROGRESS, S.CANCELLED}),
        S.IN_PROGRESS: frozenset({S.WAITING_CUSTOMER, S.RESOLVED, S.CANCELLED}),
        S.WAITING_CUSTOMER: frozenset({S.IN_PROGRESS, S.RESOLVED, S.CANCELLED}),
        S.RESOLVED: frozenset({S.CLOSED, S.IN_PROGRESS}),
        S.CLOSED: frozenset(),
        S.CANCELLED: frozenset(),
    },
}
TRANSITIONS[Category.Kind.FEEDBACK] = TRANSITIONS[Category.Kind.BACK_OFFICE]

# The clock field stamped when a ticket enters a status (first time only).
STATUS_TIMESTAMP: dict[str, str] = {
    S.ASSIGNED: "assigned_at",
    S.ON_THE_WAY: "departed_at",
    S.IN_PROGRESS: "work_started_at",
    S.TEMPORARILY_RESTORED: "temporarily_restored_at",
    S.RESTORED: "restored_at",
    S.WAITING_CUSTOMER: "waiting_since",
    S.RESOLVED: "resolved_at",
    S.CLOSED: "closed_at",
    S.CANCELLED: "cancelled_at",
}

# Statuses that end the work on a ticket from the customer's point of view.
DONE_STATUSES = frozenset({S.RESTORED, S.RESOLVED, S.CLOSED, S.CANCELLED})


def allowed_next(kind: str, status: str) -> frozenset[str]:
    return TRANSITIONS.get(kind, {}).get(status, frozenset())


def can_transition(kind: str, from_status: str, to_status: str) -> bool:
    return to_status in allowed_next(kind, from_status)
