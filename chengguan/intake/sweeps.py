"""Placeholder replaced by the exchange work (sending queued callbacks)."""


def callbacks_send() -> dict[str, int]:
    return {"callbacks_sent": 0}
