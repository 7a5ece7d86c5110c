"""Role checks for the call-centre API."""

from rest_framework.permissions import BasePermission

from core import roles


class IsCallCentreAgent(BasePermission):
    """Operators at the console, and the supervisors and admins who stand in for them."""

    def has_permission(self, request, view) -> bool:
        return roles.has_role(request.user, roles.OPERATOR, roles.SUPERVISOR, roles.ADMIN)


class IsCallCentreSupervisor(BasePermission):
    def has_permission(self, request, view) -> bool:
        return roles.has_role(request.user, roles.SUPERVISOR, roles.ADMIN)
