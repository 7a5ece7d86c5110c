"""Where a staff member lands after logging in: the page of their main role."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse

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
    links = []
    for role, url_name in ROLE_HOMES:
        try:
            links.append((role, reverse(url_name)))
        except NoReverseMatch:
            continue
    if request.user.is_staff:
        links.append(("admin", reverse("admin:index")))
    return render(request, "staff_home.html", {"links": links})
