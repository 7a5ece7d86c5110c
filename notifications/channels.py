"""Channel adapters: one small interface, chosen per channel by ``NOTIFY_ADAPTERS`` in settings.

- ``console``: writes the message to the log (development default for SMS and WhatsApp).
- ``email``: sends through Django's e-mail backend (console in development, SMTP in production).
- ``http``: posts to an SMS / WhatsApp gateway configured in ``NOTIFY_GATEWAYS[channel]`` by URL,
  credentials and a body template, so any provider can be plugged in without code.

An adapter returns a :class:`Delivery` or raises :class:`TransientSendError` (worth retrying:
timeouts, connection errors, 5xx, 429) or :class:`PermanentSendError` (the provider refused it).
"""

import base64
import json
import logging
import string
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import EmailMultiAlternatives

logger = logging.getLogger("notifications")


@dataclass
class Message:
    """What to send: the address, a short text and, for e-mail, a subject and headers."""

    channel: str
    to: str
    text: str
    reference: str
    subject: str = ""
    headers: dict = field(default_factory=dict)


@dataclass
class Delivery:
    provider_status: str = ""
    provider_answer: str = ""
    provider_message_id: str = ""
    # True when no gateway carried the message: it was only written to the log (the console adapter).
    logged_only: bool = False


class SendError(Exception):
    def __init__(self, message: str, *, provider_status: str = "", provider_answer: str = ""):
        super().__init__(message)
        self.provider_status = provider_status
        self.provider_answer = provider_answer


class TransientSendError(SendError):
    """The provider could not take the message now; try again later."""


class PermanentSendError(SendError):
    """The provider refused the message; trying again will not help."""


class ConsoleAdapter:
    def send(self, message: Message) -> Delivery:
        logger.info("[%s → %s] %s", message.channel, message.to, message.text)
        return Delivery(provider_status="logged", provider_message_id=message.reference, logged_only=True)


class EmailAdapter:
    def send(self, message: Message) -> Delivery:
        email = EmailMultiAlternatives(
            subject=message.subject,
            body=message.text,
            to=[message.to],
            headers=message.headers,
        )
        try:
            sent = email.send(fail_silently=False)
        except (OSError, TimeoutError) as exc:  # smtplib errors are OSErrors
            raise TransientSendError(str(exc)[:500]) from exc
        if not sent:
            raise TransientSendError("the e-mail backend accepted no message")
        return Delivery(provider_status="accepted", provider_message_id=message.reference)


class HttpGatewayAdapter:
    """An HTTP SMS / WhatsApp gateway.

    ``TEMPLATE`` is the request body with ``$to`` (+62…), ``$to_digits`` (62…), ``$message``,
    ``$reference`` and ``$sender`` placeholders; values are escaped for ``CONTENT_TYPE``
    (``json`` or ``form``). Credentials: ``USERNAME``/``PASSWORD`` (basic auth) or ``TOKEN``
    (``Authorization: Bearer``). ``MESSAGE_ID_FIELD`` names the JSON key of the provider's id.
    """

    def __init__(self, channel: str):
        self.channel = channel
        self.config = settings.NOTIFY_GATEWAYS.get(channel) or {}
        if not self.config.get("URL"):
            raise ImproperlyConfigured(f"NOTIFY_GATEWAYS[{channel!r}]['URL'] is not set")

    def _body(self, message: Message) -> tuple[bytes, str]:
        content_type = self.config.get("CONTENT_TYPE", "json")
        values = {
            "to": message.to,
            "to_digits": message.to.lstrip("+"),
            "message": message.text,
            "reference": message.reference,
            "sender": self.config.get("SENDER", ""),
        }
        if content_type == "json":
            escaped = {key: json.dumps(value)[1:-1] for key, value in values.items()}
            template = self.config.get("TEMPLATE") or '{"to": "$to", "message": "$message", "reference": "$reference"}'
            return string.Template(template).substitute(escaped).encode(), "application/json"
        escaped = {key: urllib.parse.quote_plus(value) for key, value in values.items()}
        template = self.config.get("TEMPLATE") or "to=$to&message=$message&reference=$reference"
        return string.Template(template).substitute(escaped).encode(), "application/x-www-form-urlencoded"

    def send(self, message: Message) -> Delivery:
        body, content_type = self._body(message)
        request = urllib.request.Request(
            self.config["URL"], data=body, method=self.config.get("METHOD", "POST").upper()
        )
        request.add_header("Content-Type", content_type)
        request.add_header("Idempotency-Key", message.reference)
        if self.config.get("TOKEN"):
            request.add_header("Authorization", f"Bearer {self.config['TOKEN']}")
        elif self.config.get("USERNAME"):
            pair = f"{self.config['USERNAME']}:{self.config.get('PASSWORD', '')}".encode()
            request.add_header("Authorization", "Basic " + base64.b64encode(pair).decode())
        timeout = float(self.config.get("TIMEOUT", 10))
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (URL from settings)
                status, answer = response.status, response.read(2000).decode("utf-8", "replace")
        except urllib.error.HTTPError as exc:
            answer = exc.read(2000).decode("utf-8", "replace") if exc.fp else ""
            error_class = TransientSendError if exc.code >= 500 or exc.code in (408, 429) else PermanentSendError
            raise error_class(
                f"gateway answered HTTP {exc.code}", provider_status=str(exc.code), provider_answer=answer
            )
        except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
            reason = getattr(exc, "reason", exc)
            raise TransientSendError(f"gateway unreachable: {reason}"[:500]) from exc
        return Delivery(
            provider_status=str(status), provider_answer=answer, provider_message_id=self._message_id(answer)
        )

    def _message_id(self, answer: str) -> str:
        key = self.config.get("MESSAGE_ID_FIELD", "id")
        try:
            value = json.loads(answer).get(key, "")
        except (ValueError, AttributeError):
            return ""
        return str(value)[:120]


ADAPTERS = {
    "console": lambda channel: ConsoleAdapter(),
    "email": lambda channel: EmailAdapter(),
    "http": HttpGatewayAdapter,
}


def adapter_for(channel: str):
    """The adapter configured for ``channel`` in ``NOTIFY_ADAPTERS``."""
    name = settings.NOTIFY_ADAPTERS.get(channel, "console")
    try:
        factory = ADAPTERS[name]
    except KeyError as exc:
        raise ImproperlyConfigured(f"Unknown notification adapter {name!r} for {channel}") from exc
    return factory(channel)
