"""Placeholder replaced by the exchange work (callbacks to 12345 and 110)."""


def callbacks_enqueue(event) -> None:
    return None
