"""Signed events from the telephone system (PBX): signature and freshness checks.

The PBX signs every request with HMAC-SHA256 over ``"<timestamp>." + raw body`` using the shared secret
``PBX_SHARED_SECRET``, and sends::

    X-Sigap-Timestamp: 1764067200            (Unix seconds, when the request was signed)
    X-Sigap-Signature: sha256=<hex digest>

A request older (or newer) than ``PBX_EVENT_MAX_AGE_SECONDS`` is refused; within that window a replay is
caught by the event id, which is kept for every event applied.
"""

import hashlib
import hmac
import time

from django.conf import settings

TIMESTAMP_HEADER = "X-Sigap-Timestamp"
SIGNATURE_HEADER = "X-Sigap-Signature"


class SignatureError(Exception):
    """The request is not signed, badly signed or stale; ``reason`` says which (for the log)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def sign(body: bytes, *, timestamp: int | str, secret: str | None = None) -> str:
    """The signature header value for ``body`` signed at ``timestamp``."""
    key = (secret if secret is not None else settings.PBX_SHARED_SECRET).encode()
    digest = hmac.new(key, f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def signed_headers(body: bytes, *, timestamp: int | None = None, secret: str | None = None) -> dict[str, str]:
    """Headers a PBX bridge sends with ``body`` (used by tests and the benchmark)."""
    stamp = int(time.time()) if timestamp is None else timestamp
    return {TIMESTAMP_HEADER: str(stamp), SIGNATURE_HEADER: sign(body, timestamp=stamp, secret=secret)}


def verify(body: bytes, *, timestamp: str | None, signature: str | None, now: float | None = None) -> None:
    """Raise SignatureError unless ``signature`` is the HMAC of ``body`` at a fresh ``timestamp``."""
    secret = settings.PBX_SHARED_SECRET
    if not secret:
        raise SignatureError("no PBX_SHARED_SECRET configured")
    if not timestamp or not signature:
        raise SignatureError("unsigned")
    try:
        stamp = int(timestamp)
    except ValueError:
        raise SignatureError("malformed timestamp") from None
    current = time.time() if now is None else now
    if abs(current - stamp) > settings.PBX_EVENT_MAX_AGE_SECONDS:
        raise SignatureError("stale timestamp")
    expected = sign(body, timestamp=timestamp, secret=secret)
    if not hmac.compare_digest(expected.encode(), signature.strip().encode()):
        raise SignatureError("bad signature")
