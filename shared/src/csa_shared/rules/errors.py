"""Errors raised by the CSA rules when their input is unusable."""

from __future__ import annotations

from typing import Any

from csa_shared.errors import DomainError


class RuleInputError(DomainError, ValueError):
    """Input that the rules cannot compute with; `field` names the offending input (422)."""

    def __init__(self, field: str, detail: str) -> None:
        super().__init__(f"{field}: {detail}")
        self.field = field
        self.detail = detail

    def problem_fields(self) -> dict[str, Any]:
        return {"errors": [{"field": self.field, "message": self.detail}]}


class NoParametersInForce(RuleInputError):
    """No legal parameter set is in force on the requested day (csa-rules.md §1)."""

    def __init__(self, day: object, field: str = "parameters_date") -> None:
        super().__init__(field, f"no CSA parameter set is in force on {day}")
        self.day = day


class RuleDataError(ValueError):
    """A shipped or supplied rule data file (parameters, tariffs, calendars) is invalid."""

    def __init__(self, source: str, detail: str) -> None:
        super().__init__(f"{source}: {detail}")
        self.source = source
        self.detail = detail
