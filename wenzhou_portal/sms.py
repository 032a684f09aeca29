"""Text messages through a pluggable backend (settings.SMS_BACKEND)."""

import logging

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger("wenzhou_portal.sms")


class LoggingSMSBackend:
    """Development backend: writes the message to the log instead of sending it."""

    def send(self, phone: str, text: str) -> None:
        logger.info("sms", extra={"to": phone[:3] + "****" + phone[-4:], "text": text})


class LocmemSMSBackend:
    """Test backend: keeps sent messages in ``outbox``."""

    outbox: list[tuple[str, str]] = []

    def send(self, phone: str, text: str) -> None:
        self.outbox.append((phone, text))


def send_sms(phone: str, text: str) -> None:
    """Send one text message through the configured backend."""
    import_string(settings.SMS_BACKEND)().send(phone, text)
