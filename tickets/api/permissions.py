"""Role checks for the ticket API."""

from rest_framework.permissions import BasePermission

from core import roles


class IsTicketWorker(BasePermission):
    """Staff who may read tickets of their units and move them along."""

    def has_permission(self, request, view) -> bool:
        return roles.has_role(request.user, *roles.TICKET_WORKERS, roles.TECHNICIAN)


class CanChangeTickets(BasePermission):
    def has_permission(self, request, view) -> bool:
        return roles.has_role(request.user, *roles.TICKET_WORKERS)


class CanAnswerFeedback(BasePermission):
    """The back office (and supervisors, admins) list and answer customer feedback."""

    def has_permission(self, request, view) -> bool:
        return roles.has_role(request.user, *roles.BACK_OFFICE_WORK)
