"""Errors that domain and service code raise, and the edges turn into HTTP answers.

Messages are written for a person (Chinese source strings, marked for translation with
`gettext_noop` so pure domain modules stay free of Django); the edge translates them with
`gettext(str(error))`. DomainError → 400, Forbidden → 403, Conflict → 409, NotFound → 404.
"""


def gettext_noop(message: str) -> str:
    """Mark a message for extraction (`makemessages` knows this name) without importing Django."""
    return message


class DomainError(Exception):
    """A rule refused the action; the message says why, in words a user understands."""

    status_code = 400

    def __init__(self, message: str, **params: object) -> None:
        self.message = message
        self.params = params
        super().__init__(message % params if params else message)


class Conflict(DomainError):
    """Somebody else changed the object first; the user should reload and retry."""

    status_code = 409


class Forbidden(DomainError):
    """The user's roles do not allow this action on this object."""

    status_code = 403


class NotFound(DomainError):
    """The object does not exist, or is outside what the user may see (never say which)."""

    status_code = 404
