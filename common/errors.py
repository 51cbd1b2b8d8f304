"""Errors the services raise. The API maps them to its error shape, the portal to messages."""


class ServiceError(Exception):
    code = "invalid"
    status = 400

    def __init__(self, message: str, *, code: str | None = None, details: dict | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.details = details or {}


class InvalidInput(ServiceError):
    code = "invalid"
    status = 400


class NotAllowed(ServiceError):
    """The user may not do this (yet), or not to this object: a rule of the desk, not a missing
    login (e.g. open a ticket before confirming their address; approve their own entry)."""

    code = "permission_denied"
    status = 403


class Conflict(ServiceError):
    """Someone else changed the object first (claimed, resolved, rated)."""

    code = "conflict"
    status = 409


class RateLimited(ServiceError):
    """Over a per-customer limit (tickets/limits.py). `retry_after`: seconds until allowed."""

    code = "throttled"
    status = 429

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message, details={"retry_after": retry_after})
        self.retry_after = retry_after
