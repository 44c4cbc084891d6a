"""Typed engine errors. Each carries what a person needs to fix the input; web maps them to HTTP."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any


class ChithiError(Exception):
    """Base of every error the engine raises on purpose."""

    http_status = 400
    code = "error"

    def to_dict(self) -> dict[str, Any]:
        return {"error": self.code, "message": str(self)}


@dataclass
class Problem:
    """One deploy-time problem: the element it concerns and what is wrong."""

    element_id: str | None
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"[{self.element_id}] " if self.element_id else ""
        line = f" (line {self.line})" if self.line else ""
        return f"{where}{self.message}{line}"


class DefinitionError(ChithiError):
    """A BPMN definition was refused; `problems` lists every problem found, one per element."""

    code = "invalid_definition"
    http_status = 422

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems))

    def to_dict(self) -> dict[str, Any]:
        return {
            "error": self.code,
            "message": "BPMN không hợp lệ",
            "problems": [
                {"element_id": p.element_id, "message": p.message, "line": p.line} for p in self.problems
            ],
        }


class ExpressionError(ChithiError):
    """An expression or script was refused by the safe evaluator, or failed while evaluating."""

    code = "invalid_expression"
    http_status = 422

    def __init__(self, message: str, expression: str | None = None, element_id: str | None = None):
        self.expression = expression
        self.element_id = element_id
        self.reason = message
        super().__init__(message)

    def to_dict(self) -> dict[str, Any]:
        return {
            "error": self.code,
            "message": str(self),
            "expression": self.expression,
            "element_id": self.element_id,
        }


class NotFound(ChithiError):
    """The thing asked for does not exist (or the caller may not see it)."""

    code = "not_found"
    http_status = 404


class PermissionDenied(ChithiError):
    """The caller may not do this."""

    code = "forbidden"
    http_status = 403


class ConflictError(ChithiError):
    """Someone else changed the same instance or task first; nothing was applied."""

    code = "conflict"
    http_status = 409


class UnreadableInstance(ChithiError):
    """An instance's saved state cannot be loaded (saved by an older engine without today's checks):
    nothing was done; an administrator must restore it."""

    code = "unreadable_instance"
    http_status = 409


class Busy(ChithiError):
    """Too many people are doing the same costly thing right now (hashing passwords, checking models):
    nothing was done; try again in a moment."""

    code = "busy"
    http_status = 503


class TooManyRequests(ChithiError):
    """One person asked for the same costly thing too often; nothing was done."""

    code = "too_many_requests"
    http_status = 429


class InvalidState(ChithiError):
    """The move is not legal in the current state (e.g. completing a suspended instance's task)."""

    code = "invalid_state"
    http_status = 409


@dataclass
class FieldProblem:
    field: str
    message: str


class FormError(ChithiError):
    """Submitted task or form data is wrong; `fields` says which field and why."""

    code = "invalid_form"
    http_status = 422

    def __init__(self, fields: list[FieldProblem]):
        self.fields = fields
        super().__init__("; ".join(f"{f.field}: {f.message}" for f in fields))

    def to_dict(self) -> dict[str, Any]:
        return {
            "error": self.code,
            "message": str(self),
            "fields": {f.field: f.message for f in self.fields},
        }
