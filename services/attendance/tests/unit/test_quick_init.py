"""`quick_init`: the same constructor as the dataclass's own, only cheaper (issue 24)."""

from __future__ import annotations

import dataclasses
import inspect
from dataclasses import dataclass, field
from datetime import datetime

import pytest

from csa_attendance.domain import batch, events, records
from csa_attendance.domain.quick import quick_init

QUICK = [
    records.PresenceDeclaration,
    records.ReservationDeclaration,
    records.MealDeclaration,
    records.RecordVersion,
    records.RecordHistory,
    batch.ItemResult,
    events.PresenceRecorded,
    events.MealRecorded,
    events.ReservationRecorded,
]


def _generated(cls: type) -> type:
    """The same dataclass as `cls`, with the `__init__` dataclasses generates."""
    params = cls.__dataclass_params__  # type: ignore[attr-defined]
    namespace = {
        "__annotations__": {f.name: f.type for f in dataclasses.fields(cls)},
        **{f.name: field(default=f.default, kw_only=f.kw_only) for f in dataclasses.fields(cls)},
    }
    plain = type(cls.__name__, (), namespace)
    return dataclass(frozen=params.frozen, slots=True)(plain)


@pytest.mark.parametrize("cls", QUICK, ids=lambda c: c.__name__)
def test_the_signature_is_the_dataclass_own(cls: type) -> None:
    assert cls.__init__.__module__ == cls.__module__
    assert inspect.signature(cls.__init__) == inspect.signature(_generated(cls).__init__)


def test_an_instance_is_the_same_frozen_value() -> None:
    when = datetime(2025, 1, 6, 8)
    made = records.PresenceDeclaration(
        provider_id="p", record_id="r", child_id="c", start=when, end=when
    )
    again = dataclasses.replace(made)
    assert made == again and hash(made) == hash(again)
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.start = when  # type: ignore[misc]
    with pytest.raises(TypeError):
        records.PresenceDeclaration("p", "r", "c", when, when)  # type: ignore[misc]
    with pytest.raises(TypeError):
        records.PresenceDeclaration(provider_id="p", record_id="r")  # type: ignore[call-arg]
    result = batch.ItemResult(0, made.key, batch.Outcome.ACCEPTED)
    assert (result.violations, result.record, result.event) == ((), None, None)


def test_what_it_cannot_do_is_refused() -> None:
    @dataclass(frozen=True, slots=True)
    class Factory:
        items: list[int] = field(default_factory=list)

    @dataclass(frozen=True, slots=True)
    class PostInit:
        n: int

        def __post_init__(self) -> None:
            pass

    @dataclass(frozen=True)
    class NoSlots:
        n: int

    for cls in (Factory, PostInit, NoSlots):
        with pytest.raises(TypeError):
            quick_init(cls)
