"""Role checks for the dispatch API."""

from rest_framework.permissions import BasePermission

from core import roles


class IsTechnician(BasePermission):
    """A user with a technician record (the record, not only the group, is what routing knows)."""

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and hasattr(user, "technician"))


class IsDispatcher(BasePermission):
    """Dispatchers, supervisors and admins: the board, incidents and manual assignment."""

    def has_permission(self, request, view) -> bool:
        return roles.has_role(request.user, roles.DISPATCHER, roles.SUPERVISOR, roles.ADMIN)


class IsDispatchStaff(BasePermission):
    """Staff who may read incidents (the operators too: they tell callers about known outages)."""

    def has_permission(self, request, view) -> bool:
        return roles.has_role(request.user, roles.DISPATCHER, roles.SUPERVISOR, roles.ADMIN, roles.OPERATOR)
