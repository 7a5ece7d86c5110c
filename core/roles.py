"""Staff roles, held as Django groups. Customers need no account."""

OPERATOR = "operator"
BACK_OFFICE = "back_office"
DISPATCHER = "dispatcher"
TECHNICIAN = "technician"
SUPERVISOR = "supervisor"
ADMIN = "admin"

ALL_ROLES = (OPERATOR, BACK_OFFICE, DISPATCHER, TECHNICIAN, SUPERVISOR, ADMIN)

# Roles that may change a ticket's status or add notes through the staff API.
TICKET_WORKERS = (OPERATOR, BACK_OFFICE, DISPATCHER, SUPERVISOR, ADMIN)

# Roles that see back-office work: the queue, customer feedback and its replies.
BACK_OFFICE_WORK = (BACK_OFFICE, SUPERVISOR, ADMIN)


def has_role(user, *roles: str) -> bool:
    if not user or not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    names = getattr(user, "_sigap_role_names", None)
    if names is None:
        names = set(user.groups.values_list("name", flat=True))
        user._sigap_role_names = names
    return bool(names.intersection(roles)) or (ADMIN in names)


def is_member(user, role: str) -> bool:
    """Member of this role's group itself (admins and superusers are not, unlike ``has_role``)."""
    if not user or not user.is_authenticated or user.is_superuser:
        return False
    has_role(user, role)  # fills the per-request cache of the user's group names
    return role in user._sigap_role_names
