"""Demo data for Open311: one client application with a published key, for trying the API locally."""

from .models import Open311Client
from .selectors import key_digest
from .services import issue_client_key

DEMO_CLIENT_NAME = "Demo city app"
DEMO_KEY = "demo-open311-key-sigap123"


def seed() -> dict:
    """Create the demo client once; its key is ``DEMO_KEY``. Safe to run again."""
    if not Open311Client.objects.filter(key_digest=key_digest(DEMO_KEY)).exists():
        client = Open311Client(name=DEMO_CLIENT_NAME, contact="demo@sigap123.id", throttle_rate="120/minute")
        issue_client_key(client=client, raw_key=DEMO_KEY)
    return {"open311_key": DEMO_KEY}
