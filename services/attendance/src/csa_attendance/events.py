"""Domain events → CloudEvents: type names, keys and data (schemas in csa_shared)."""

from __future__ import annotations

from dataclasses import fields
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum
from functools import lru_cache
from operator import attrgetter
from typing import Any

from csa_attendance.domain import events as de
from csa_shared.events import (
    Envelope,
    cloudevent,
    encode_document,
    new_event,
    parse_event,
    topic_of,
)
from csa_shared.ids import uuid4_strings

PREFIX = "lu.csa.attendance."
TYPES: dict[type, str] = {
    de.PresenceRecorded: "presence.recorded",
    de.PresenceCorrected: "presence.corrected",
    de.PresenceVoided: "presence.voided",
    de.MealRecorded: "meal.recorded",
    de.MealCorrected: "meal.corrected",
    de.ReservationRecorded: "reservation.recorded",
    de.ServiceSheetSubmitted: "servicesheet.submitted",
    de.ProviderRegistered: "provider.registered",
    de.ProviderChanged: "provider.changed",
    de.EducationContractStarted: "educationcontract.started",
    de.EducationContractEnded: "educationcontract.ended",
    de.OtherChargeRecorded: "othercharge.recorded",
}
# The stored entity's id, under a name per aggregate.
ENTITY_ID: dict[str, str] = {
    "presence": "presence_id",
    "meal": "meal_id",
    "reservation": "reservation_id",
    "servicesheet": "sheet_id",
    "educationcontract": "contract_id",
    "othercharge": "charge_id",
}


def event_type(event: de.AttendanceEvent) -> str:
    return PREFIX + TYPES[type(event)] + ".v1"


_AS_IS = frozenset({str, int, bool, type(None)})


def _plain(value: Any) -> Any:
    if type(value) in _AS_IS:
        return value
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if type(value) in _NESTED:
        return {f: _plain(getattr(value, f)) for f in _NESTED[type(value)]}
    return value


_NESTED = {de.ServiceSheetDay: ("day", "hours", "lunches", "out_of_band_hours")}


_FIELDS: dict[type, tuple[str, ...]] = {t: tuple(f.name for f in fields(t)) for t in TYPES}
_RECORDS = ("presence", "meal", "reservation", "othercharge")
# Per event class: its CloudEvents type, its fields, the entity id's name, and whether the
# data repeats the record id as `provider_record_id` (computed once, not per event).
_SHAPES: dict[type, tuple[str, tuple[str, ...], str | None, bool]] = {
    t: (
        PREFIX + name + ".v1",
        _FIELDS[t],
        ENTITY_ID.get(name.split(".")[0]),
        name.split(".")[0] in _RECORDS,
    )
    for t, name in TYPES.items()
}


# Per event class, all its fields' values at once (every event class has several fields).
_VALUES: dict[type, Any] = {t: attrgetter(*names) for t, names in _FIELDS.items()}


def event_data(event: de.AttendanceEvent, *, entity_id: str | None = None) -> dict[str, Any]:
    return _data(event, entity_id, _AS_IS)


# orjson writes dates and datetimes exactly as `isoformat()` does (`_plain`).
_AS_IS_FOR_ORJSON = _AS_IS | {datetime, date}


def _data(
    event: de.AttendanceEvent, entity_id: str | None, as_is: frozenset[type]
) -> dict[str, Any]:
    _, names, entity, repeats_record = _SHAPES[type(event)]
    values = _VALUES[type(event)](event)
    # Not `strict`: names and values come from the same fields (`_FIELDS`); checking their
    # lengths on every event costs a third of the dict's making.
    data: dict[str, Any] = dict(zip(names, values, strict=False))
    # The usual event has only plain values: checked at once (in C) rather than one by one.
    if not as_is.issuperset(map(type, values)):
        for name, value in data.items():
            if type(value) not in as_is:
                data[name] = _plain(value)
    if entity is not None:
        data[entity] = entity_id or event.record_id
    if repeats_record:
        data["provider_record_id"] = event.record_id
    return data


def to_envelope(
    event: de.AttendanceEvent, *, source: str, entity_id: str | None = None, **extra: Any
) -> Envelope:
    """Key: the child for child records, the provider for provider events."""
    key = getattr(event, "child_id", None) or event.provider_id
    data = {**event_data(event, entity_id=entity_id), **extra}
    return new_event(event_type(event), source=source, subject=key, data=data)


_topic = lru_cache(maxsize=64)(topic_of)


def _row(event_id: str, type_: str, key: str, payload: str, created: datetime) -> dict[str, Any]:
    return {
        "event_id": event_id,
        "topic": _topic(type_),
        "message_key": key,
        "payload": payload,
        "created_at": created,
    }


def staged_events(events: list[tuple[Any, str]], *, source: str) -> list[dict[str, Any]]:
    """Outbox rows of a batch's events: the CloudEvents documents `to_envelope` builds
    (same data from `event_data`, same order and encoding), with the batch's time, but
    without an `Envelope` per event and *not* schema-validated: the caller validates the
    rows it keeps with `check_staged` (the first of each type, the others share its shape)."""
    created = datetime.now(UTC)
    when = created.isoformat()
    rows: list[dict[str, Any]] = []
    for (event, entity_id), event_id in zip(events, uuid4_strings(len(events)), strict=True):
        type_ = _SHAPES[type(event)][0]
        key = getattr(event, "child_id", None) or event.provider_id
        data = _data(event, entity_id, _AS_IS_FOR_ORJSON)
        document = cloudevent(event_id, type_, source, key, when, data)
        rows.append(_row(event_id, type_, key, encode_document(document), created))
    return rows


def check_staged(row: dict[str, Any]) -> None:
    """Validate a staged outbox row's CloudEvent against its schema (`InvalidEvent`)."""
    parse_event(row["payload"])
