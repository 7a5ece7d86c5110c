"""Where a staff member lands after logging in: the page of their main role."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy

from core import roles

# Role → URL name of its home page, most specific first. Pages of apps not installed are skipped.
ROLE_HOMES = [
    (roles.TECHNICIAN, "dispatch:tech-home"),
    (roles.DISPATCHER, "dispatch:board"),
    (roles.OPERATOR, "hotline:console"),
    (roles.BACK_OFFICE, "backoffice:queue"),
    (roles.SUPERVISOR, "reports:index"),
]


@login_required
def staff_home(request):
    for role, url_name in ROLE_HOMES:
        if roles.has_role(request.user, role) and not request.user.is_superuser:
            try:
                return redirect(reverse(url_name))
            except NoReverseMatch:
                continue
    # Only the pages this user may open (the technician's app admits technicians only), by their names.
    links = [(entry["label"], entry["url"]) for entry in staff_menu(request)["staff_menu"]]
    if request.user.is_staff:
        links.append((gettext_lazy("Administration"), reverse("admin:index")))
    return render(request, "staff_home.html", {"links": links})


# The technician's app admits members of the technician group only, not admins.
TECHNICIANS_ONLY = ("technician-group-only",)

# The staff menu: (label, URL name, roles that may open it). Every page a link leads to lets its role in.
STAFF_MENU = [
    (gettext_lazy("Console"), "hotline:console", (roles.OPERATOR, roles.SUPERVISOR, roles.ADMIN)),
    (gettext_lazy("Find a ticket"), "hotline:tickets", (roles.OPERATOR, roles.SUPERVISOR, roles.ADMIN)),
    (gettext_lazy("Back office"), "backoffice:queue", (roles.BACK_OFFICE, roles.SUPERVISOR, roles.ADMIN)),
    (gettext_lazy("Feedback"), "backoffice:feedback", (roles.BACK_OFFICE, roles.SUPERVISOR, roles.ADMIN)),
    (
        gettext_lazy("Escalations"),
        "backoffice:escalations",
        (roles.BACK_OFFICE, roles.DISPATCHER, roles.SUPERVISOR, roles.ADMIN),
    ),
    (gettext_lazy("Dispatch board"), "dispatch:board", (roles.DISPATCHER, roles.SUPERVISOR, roles.ADMIN)),
    (gettext_lazy("My jobs"), "dispatch:tech-home", TECHNICIANS_ONLY),
    (gettext_lazy("KPIs"), "hotline:kpi", (roles.SUPERVISOR, roles.ADMIN)),
    (gettext_lazy("Violations"), "hotline:violations", (roles.SUPERVISOR, roles.ADMIN)),
    (gettext_lazy("Reports"), "reports:index", (roles.SUPERVISOR, roles.ADMIN)),
    (gettext_lazy("Compensation"), "reports:compensation", (roles.SUPERVISOR, roles.ADMIN)),
    (gettext_lazy("Import from the CIS"), "billing:import", (roles.ADMIN,)),
]


def staff_menu(request) -> dict:
    """Context processor: the staff menu entries this user may open (empty for customers)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"staff_menu": []}

    def entries():
        for label, url_name, allowed in STAFF_MENU:
            if allowed is TECHNICIANS_ONLY:
                allowed_here = roles.is_member(user, roles.TECHNICIAN)
            else:
                allowed_here = roles.has_role(user, *allowed)
            if allowed_here:
                try:
                    yield {"label": label, "url": reverse(url_name), "current": request.path == reverse(url_name)}
                except NoReverseMatch:
                    continue

    return {"staff_menu": list(entries())}
