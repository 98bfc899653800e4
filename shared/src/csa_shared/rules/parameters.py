"""Effective-dated legal parameters of the CSA (csa-rules.md §1), loaded from data files."""

from __future__ import annotations

import bisect
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from functools import cache
from importlib import resources
from typing import Any

import yaml

from csa_shared.rules.errors import NoParametersInForce, RuleDataError


class ProviderType(StrEnum):
    """Kinds of care provider (csa-rules.md §10)."""

    SEA_CONVENTIONNE = "sea_conventionne"
    SEA_COMMERCIAL = "sea_commercial"
    ASSISTANT_PARENTAL = "assistant_parental"


@dataclass(frozen=True, slots=True)
class ParameterSet:
    """One set of legal amounts, in force from `effective_from` until the next set."""

    effective_from: date
    ssm: Decimal
    state_caps: Mapping[ProviderType, Decimal]
    ap_off_hours_supplement: Decimal
    meal_cap: Decimal
    supported_meals_per_week: int
    supported_hours_per_week: int
    plurilingual_hours_full: int
    plurilingual_hours_precoce_part_time: int
    plurilingual_hours_precoce_full_time: int
    plurilingual_weeks_per_year: int
    holiday_weekly_cap: Decimal
    no_proof_income_factor: Decimal

    def state_cap(self, provider_type: ProviderType) -> Decimal:
        """State cap per hour for a provider type (day rate for an AP), csa-rules.md §1/§4."""
        return self.state_caps[provider_type]


def _money(raw: Mapping[str, Any], key: str, where: str) -> Decimal:
    value = raw.get(key)
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        raise RuleDataError(where, f"{key} is not a decimal amount: {value!r}") from None
    if value is None or isinstance(value, float) or amount < 0:
        raise RuleDataError(where, f"{key} must be a non-negative amount string, got {value!r}")
    return amount


def _count(raw: Mapping[str, Any], key: str, where: str) -> int:
    value = raw.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise RuleDataError(where, f"{key} must be a non-negative integer, got {value!r}")
    return value


def _parse_set(raw: Any, index: int) -> ParameterSet:
    where = f"sets[{index}]"
    if not isinstance(raw, dict):
        raise RuleDataError(where, "must be a mapping")
    try:
        start = date.fromisoformat(str(raw.get("effective_from")))
    except ValueError:
        raise RuleDataError(where, "effective_from must be an ISO date") from None
    if start.weekday() != 0:
        raise RuleDataError(where, f"effective_from {start} is not a Monday")
    caps_raw = raw.get("state_caps")
    if not isinstance(caps_raw, dict) or set(caps_raw) != {t.value for t in ProviderType}:
        raise RuleDataError(where, "state_caps must give exactly one cap per provider type")
    caps = {ProviderType(k): _money(caps_raw, k, f"{where}.state_caps") for k in caps_raw}
    pluri = raw.get("plurilingual_hours")
    if not isinstance(pluri, dict):
        raise RuleDataError(where, "plurilingual_hours must be a mapping")
    params = ParameterSet(
        effective_from=start,
        ssm=_money(raw, "ssm", where),
        state_caps=caps,
        ap_off_hours_supplement=_money(raw, "ap_off_hours_supplement", where),
        meal_cap=_money(raw, "meal_cap", where),
        supported_meals_per_week=_count(raw, "supported_meals_per_week", where),
        supported_hours_per_week=_count(raw, "supported_hours_per_week", where),
        plurilingual_hours_full=_count(pluri, "full", where),
        plurilingual_hours_precoce_part_time=_count(pluri, "precoce_part_time", where),
        plurilingual_hours_precoce_full_time=_count(pluri, "precoce_full_time", where),
        plurilingual_weeks_per_year=_count(raw, "plurilingual_weeks_per_year", where),
        holiday_weekly_cap=_money(raw, "holiday_weekly_cap", where),
        no_proof_income_factor=_money(raw, "no_proof_income_factor", where),
    )
    if params.ssm == 0:
        raise RuleDataError(where, "ssm must be positive")
    if params.plurilingual_hours_full > params.supported_hours_per_week:
        raise RuleDataError(where, "plurilingual hours exceed the weekly supported hours")
    return params


def load_parameter_sets(text: str, *, source: str = "parameters.yaml") -> tuple[ParameterSet, ...]:
    """Parse and validate a parameters document; sets come back sorted by effective date."""
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise RuleDataError(source, f"not valid YAML: {exc}") from None
    if not isinstance(doc, dict) or not doc.get("source"):
        raise RuleDataError(source, "the document must name its `source`")
    raw_sets = doc.get("sets")
    if not isinstance(raw_sets, list) or not raw_sets:
        raise RuleDataError(source, "`sets` must be a non-empty list")
    sets = sorted(
        (_parse_set(r, i) for i, r in enumerate(raw_sets)), key=lambda s: s.effective_from
    )
    dates = [s.effective_from for s in sets]
    if len(set(dates)) != len(dates):
        raise RuleDataError(source, "two parameter sets share an effective date")
    return tuple(sets)


@cache
def shipped_parameter_sets() -> tuple[ParameterSet, ...]:
    """The parameter sets shipped in `data/parameters.yaml`, loaded and validated once."""
    text = resources.files("csa_shared.rules").joinpath("data/parameters.yaml").read_text("utf-8")
    return load_parameter_sets(text)


def parameters_in_force(
    day: date, sets: Sequence[ParameterSet] | None = None, *, field: str = "parameters_date"
) -> ParameterSet:
    """The parameter set in force on `day` (csa-rules.md §1); before the first set: error."""
    candidates = shipped_parameter_sets() if sets is None else sets
    index = bisect.bisect_right([s.effective_from for s in candidates], day) - 1
    if index < 0:
        raise NoParametersInForce(day, field)
    return candidates[index]
