"""The one family of domain errors. Messages are Chinese (through gettext) and
say what is wrong and what to do about it."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class FieldError:
    """One problem with one input field; `field` is the API/form field name."""

    field: str
    message: str


class DomainError(Exception):
    """Base of every error the services raise on purpose."""

    code = "domain_error"
    http_status = 400

    def __init__(self, message: str, *, errors: list[FieldError] | None = None) -> None:
        super().__init__(message)
        self.message = str(message)
        self.errors: list[FieldError] = list(errors or [])

    def __str__(self) -> str:
        """The summary followed by each field's problem, for logs and the CLI."""
        return "".join([self.message, *(e.message for e in self.errors)])

    def as_dict(self) -> dict[str, object]:
        return {
            "code": self.code,
            "message": self.message,
            "errors": [{"field": e.field, "message": str(e.message)} for e in self.errors],
        }


class ValidationFailed(DomainError):
    code = "validation_failed"
    http_status = 422


class PermissionDenied(DomainError):
    code = "permission_denied"
    http_status = 403


class NotFound(DomainError):
    code = "not_found"
    http_status = 404


class Conflict(DomainError):
    """The record changed under the caller (concurrent edit, duplicate key)."""

    code = "conflict"
    http_status = 409


@dataclass
class ErrorCollector:
    """Collects field errors so that a caller sees all of them at once."""

    errors: list[FieldError] = field(default_factory=list)
    warnings: list[FieldError] = field(default_factory=list)

    def add(self, field_name: str, message: str) -> None:
        self.errors.append(FieldError(field_name, str(message)))

    def warn(self, field_name: str, message: str) -> None:
        self.warnings.append(FieldError(field_name, str(message)))

    def raise_if_any(self, summary: str) -> None:
        if self.errors:
            raise ValidationFailed(summary, errors=self.errors)


class StaleWrite(Conflict):
    """The caller edited an old version of the record: someone else saved it
    in between. API: 412 Precondition Failed (the If-Match did not match)."""

    code = "stale_write"
    http_status = 412

    def __init__(
        self, message: str, *, errors: list[FieldError] | None = None, current_version: int = 0
    ) -> None:
        super().__init__(message, errors=errors)
        self.current_version = current_version

    def as_dict(self) -> dict[str, object]:
        return {**super().as_dict(), "current_version": self.current_version}
