"""Customers' replies to our SMS/WhatsApp messages, posted by the message gateway: signature and freshness.

The gateway signs like the PBX does (hotline/pbx.py): HMAC-SHA256 over ``"<timestamp>." + raw body`` with the
shared secret ``MESSAGING_INBOUND_SECRET``, sent as::

    X-Sigap-Timestamp: 1764067200            (Unix seconds, when the request was signed)
    X-Sigap-Signature: sha256=<hex digest>

A request older (or newer) than ``MESSAGING_INBOUND_MAX_AGE_SECONDS`` is refused; a replay inside that window
is caught by the gateway's message id (one reply per id).
"""

import hashlib
import hmac
import time

from django.conf import settings

TIMESTAMP_HEADER = "X-Sigap-Timestamp"
SIGNATURE_HEADER = "X-Sigap-Signature"


class SignatureError(Exception):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def sign(body: bytes, *, timestamp: int | str, secret: str | None = None) -> str:
    key = (secret if secret is not None else settings.MESSAGING_INBOUND_SECRET).encode()
    return "sha256=" + hmac.new(key, f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def signed_headers(body: bytes, *, timestamp: int | None = None, secret: str | None = None) -> dict[str, str]:
    """Headers the gateway sends with ``body`` (used by tests)."""
    stamp = int(time.time()) if timestamp is None else timestamp
    return {TIMESTAMP_HEADER: str(stamp), SIGNATURE_HEADER: sign(body, timestamp=stamp, secret=secret)}


def verify(body: bytes, *, timestamp: str | None, signature: str | None, now: float | None = None) -> None:
    """Raise SignatureError unless ``signature`` is the HMAC of ``body`` at a fresh ``timestamp``."""
    secret = settings.MESSAGING_INBOUND_SECRET
    if not secret:
        raise SignatureError("no MESSAGING_INBOUND_SECRET configured")
    if not timestamp or not signature:
        raise SignatureError("unsigned")
    try:
        stamp = int(timestamp)
    except ValueError:
        raise SignatureError("malformed timestamp") from None
    if abs((time.time() if now is None else now) - stamp) > settings.MESSAGING_INBOUND_MAX_AGE_SECONDS:
        raise SignatureError("stale timestamp")
    if not hmac.compare_digest(sign(body, timestamp=timestamp, secret=secret).encode(), signature.strip().encode()):
        raise SignatureError("bad signature")
