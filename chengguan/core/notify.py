"""Outward notification channels (SMS, WeCom …) behind one interface.

`CHENGGUAN["NOTIFY_BACKEND"]` names a class with `send(recipient, text)`; the default only
logs, so a deployment without a gateway loses nothing and shows what it would have sent.
"""

import logging

from django.conf import settings
from django.utils.module_loading import import_string

from chengguan.core.personal import phone_mask

log = logging.getLogger("chengguan.notify")


class LoggingBackend:
    def send(self, recipient: str, text: str) -> None:
        # A phone number never goes to the log in full.
        shown = phone_mask(recipient) if recipient.isdigit() else recipient
        log.info("notice to %s: %s", shown, text)


def backend():
    path = settings.CHENGGUAN.get("NOTIFY_BACKEND", "chengguan.core.notify.LoggingBackend")
    return import_string(path)()


def send(notice) -> None:
    recipient = notice.agency.name if notice.agency_id else f"region {notice.region_code}"
    backend().send(recipient, notice.text)


def send_text(phone: str, text: str) -> None:
    """A text message to a person (a reporter): the backend gets the full number."""
    backend().send(phone, text)
