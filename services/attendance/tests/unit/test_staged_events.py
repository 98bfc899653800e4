"""The batch's fast outbox rows are the CloudEvents `to_envelope` + `add_to_outbox` write."""

from __future__ import annotations

import json
from datetime import date, datetime

import pytest

from csa_attendance.domain.events import MealRecorded, PresenceRecorded, ReservationRecorded
from csa_attendance.events import check_staged, staged_events, to_envelope
from csa_shared.events import InvalidEvent, parse_event
from csa_shared.messaging.outbox import outbox_row

SOURCE = "/csa/attendance"


def _events() -> list[tuple[object, str]]:
    out: list[tuple[object, str]] = []
    for i in range(3):
        common = {"provider_id": "sea-a", "child_id": f"c{i}", "version": 1}
        out.append(
            (
                PresenceRecorded(
                    record_id=f"p-{i}-é",  # non-ASCII: escaped the same way
                    affects_closed_period=i == 1,
                    start=datetime(2025, 3, 10, 8, 0),
                    end=datetime(2025, 3, 10, 16, 30),
                    minutes=510,
                    **common,
                ),
                f"id-p{i}",
            )
        )
        out.append(
            (
                MealRecorded(
                    record_id=f"m-{i}",
                    affects_closed_period=False,
                    day=date(2025, 3, 10),
                    count=1,
                    **common,
                ),
                f"id-m{i}",
            )
        )
        out.append(
            (
                ReservationRecorded(
                    record_id=f"r-{i}",
                    affects_closed_period=False,
                    start=datetime(2025, 3, 11, 8, 0),
                    end=datetime(2025, 3, 11, 12, 0),
                    minutes=240,
                    **common,
                ),
                f"id-r{i}",
            )
        )
    return out


def test_staged_rows_equal_the_envelopes_rows_but_for_event_id_and_time():
    events = _events()
    fast = staged_events(events, source=SOURCE)
    now = datetime(2025, 3, 10, 12, 0)
    slow = [outbox_row(to_envelope(e, source=SOURCE, entity_id=i), now) for e, i in events]
    assert len(fast) == len(slow) == len(events)
    ids = set()
    for f, s in zip(fast, slow, strict=True):
        assert (f["topic"], f["message_key"]) == (s["topic"], s["message_key"])
        document, expected = json.loads(f["payload"]), json.loads(s["payload"])
        assert document["id"] == f["event_id"]
        ids.add(f["event_id"])
        for volatile in ("id", "time"):
            document.pop(volatile)
            expected.pop(volatile)
        assert document == expected
        assert list(json.loads(f["payload"])) == list(json.loads(s["payload"]))  # key order
        assert f["payload"].isascii()
        parse_event(f["payload"])  # every row is a valid CloudEvent of its schema
    assert len(ids) == len(events)


def test_a_staged_row_that_breaks_its_schema_is_refused():
    bad = PresenceRecorded(
        record_id="p-1",
        provider_id="sea-a",
        child_id="c1",
        version=1,
        affects_closed_period=False,
        start=datetime(2025, 3, 10, 9, 0),
        end=datetime(2025, 3, 10, 8, 0),
        minutes=-60,  # a rejected item's event: never staged, and it would not pass
    )
    (row,) = staged_events([(bad, "id-1")], source=SOURCE)
    with pytest.raises(InvalidEvent):
        check_staged(row)
