"""Domain exceptions. Services raise them; `coordinator.api.errors` turns them
into HTTP responses in one place."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """Base of every error a person can act on."""

    status = 400

    def __init__(self, message: str, *, field: str | None = None, **extra: Any) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.extra = extra


class NotFound(DomainError):
    status = 404


class Forbidden(DomainError):
    status = 403


class Conflict(DomainError):
    status = 409


class Invalid(DomainError):
    status = 422


class TooManyAttempts(DomainError):
    status = 429
