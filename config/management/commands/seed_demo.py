"""Load the demo data of every app, so a newcomer sees the whole flow at once."""

from django.core.management.base import BaseCommand

from billing import demo as billing_demo
from connections import demo as connections_demo
from dispatch import demo as dispatch_demo
from hotline import demo as hotline_demo
from open311 import demo as open311_demo
from outages import demo as outages_demo
from tickets import demo as tickets_demo
from tickets.sla import demo as sla_demo


class Command(BaseCommand):
    help = "Create demo units, staff, customers (and each app's demo data). Safe to run again."

    def handle(self, *args, **options):
        result = tickets_demo.seed()
        technicians = dispatch_demo.seed()  # before any demo outage ticket, so each finds a crew
        open311 = open311_demo.seed()
        sla_demo.seed()
        feedback = tickets_demo.seed_feedback()
        calls = hotline_demo.seed()
        outages = outages_demo.seed()
        connections = connections_demo.seed()
        billing = billing_demo.seed()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready: {len(result['units'])} units, {result['customers']} customers. "
                f"Staff logins (password {tickets_demo.DEMO_PASSWORD!r}): admin, operator, backoffice, "
                "dispatcher, supervisor, tech1…tech4. "
                f"Call centre: {calls['calls']} new demo calls; console at /console/ (operator, PBX extension 2001)."
            )
        )
        self.stdout.write(
            f"Dispatch: {technicians} technicians (tech1…tech4) on duty around Balikpapan; API at /api/v1/dispatch/."
        )
        self.stdout.write(
            f"Outages: map at /peta-padam/; planned outage tomorrow in ULP-BPP-SELATAN ({outages['opted_in']} "
            "customers opted in); ULP-BPP-UTARA turns INFO PADAM MELUAS at 5 reports "
            "(PBX text: /api/v1/announcements/ULP-BPP-UTARA/?format=txt)."
        )
        self.stdout.write(
            f"Connections: {connections['applications']} new demo applications; apply at /sambung/, fee calculator at "
            "/sambung/tarif/; tech1/tech2 see their visits at /tech/field-jobs/."
        )
        self.stdout.write(
            f"Feedback: {feedback['feedback']} new demo kritik/saran/apresiasi; the back office answers them at "
            "/backoffice/feedback/ (one already answered), supervisors count them at /reports/."
        )
        self.stdout.write(f"Open311 GeoReport v2 at /open311/v2/ — demo api_key: {open311['open311_key']}")
        self.stdout.write(
            f"Info tagihan at /info-tagihan/: try ID pelanggan {billing['postpaid']} (postpaid, a bill spike) or "
            f"{billing['prepaid']} (prepaid, token purchases); CIS imports at /billing/import/ (admin)."
        )
