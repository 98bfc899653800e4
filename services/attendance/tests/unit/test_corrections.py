"""Corrections: amend or void presences and meals, with history (csa-rules.md §10, §7)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

import pytest

from csa_attendance.domain.batch import Outcome, process_batch
from csa_attendance.domain.corrections import amend_meal, amend_presence, void_meal, void_presence
from csa_attendance.domain.errors import AttendanceDomainError, Code
from csa_attendance.domain.records import RecordStatus

LATER = datetime(2025, 3, 21, 9, 0)


def stored(state, now, *items):
    results = process_batch(list(items), state, now=now)
    assert all(r.record is not None for r in results)
    presences = [r.record for r in results if hasattr(r.record.current.content, "start")]
    meals = [r.record for r in results if hasattr(r.record.current.content, "count")]
    return replace(state, presences=presences, meals=meals), [r.record for r in results]


def test_amend_presence_12_00_to_13_00_keeps_history_and_emits_300_minutes(state, now, presence):
    world, [history] = stored(state, now, presence("r1", "2025-03-18", "08:00", "12:00"))
    amended, event = amend_presence(
        history,
        start=datetime(2025, 3, 18, 8, 0),
        end=datetime(2025, 3, 18, 13, 0),
        reason="left later",
        state=world,
        now=LATER,
    )
    assert [v.version for v in amended.versions] == [1, 2]
    assert amended.versions[0].content.end == datetime(2025, 3, 18, 12, 0)
    assert amended.current.reason == "left later"
    assert amended.current.recorded_at == LATER
    assert (event.version, event.minutes, event.previous_end) == (
        2,
        300,
        datetime(2025, 3, 18, 12, 0),
    )
    assert event.affects_closed_period is False


def test_amend_into_overlap_with_own_other_presence_is_refused(state, now, presence):
    world, [first, _] = stored(
        state,
        now,
        presence("r1", "2025-03-18", "08:00", "12:00"),
        presence("r2", "2025-03-18", "14:00", "16:00"),
    )
    with pytest.raises(AttendanceDomainError) as caught:
        amend_presence(
            first,
            start=datetime(2025, 3, 18, 8, 0),
            end=datetime(2025, 3, 18, 15, 0),
            reason="typo",
            state=world,
            now=LATER,
        )
    assert [v.code for v in caught.value.violations] == [Code.OVERLAP]


def test_amend_without_reason_is_refused_reason_required(state, now, presence):
    world, [history] = stored(state, now, presence("r1", "2025-03-18", "08:00", "12:00"))
    with pytest.raises(AttendanceDomainError) as caught:
        amend_presence(
            history,
            start=datetime(2025, 3, 18, 8, 0),
            end=datetime(2025, 3, 18, 13, 0),
            reason="  ",
            state=world,
            now=LATER,
        )
    assert caught.value.violations[0].code is Code.REASON_REQUIRED


def test_amend_with_same_times_is_refused_nothing_changed(state, now, presence):
    world, [history] = stored(state, now, presence("r1", "2025-03-18", "08:00", "12:00"))
    with pytest.raises(AttendanceDomainError) as caught:
        amend_presence(
            history,
            start=datetime(2025, 3, 18, 8, 0),
            end=datetime(2025, 3, 18, 12, 0),
            reason="none",
            state=world,
            now=LATER,
        )
    assert caught.value.violations[0].code is Code.NOTHING_CHANGED


def test_void_presence_in_closed_period_flags_affects_closed_period(state, now, presence):
    world, [history] = stored(state, now, presence("r1", "2025-03-18", "08:00", "12:00"))
    voided, event = void_presence(
        history, reason="child absent", state=world, now=LATER, closed_months={"2025-03"}
    )
    assert voided.current.status is RecordStatus.VOIDED
    assert voided.versions[0].status is RecordStatus.ACTIVE
    assert (event.version, event.affects_closed_period) == (2, True)


def test_amend_moving_presence_out_of_closed_period_is_flagged(state, now, presence):
    # 2025-03-02 (Sunday) is in the 2025-02 period; moving it to 2025-03-03 still touches it.
    world, [history] = stored(state, now, presence("r1", "2025-03-02", "08:00", "12:00"))
    _, event = amend_presence(
        history,
        start=datetime(2025, 3, 3, 8, 0),
        end=datetime(2025, 3, 3, 12, 0),
        reason="wrong day",
        state=world,
        now=LATER,
        closed_months={"2025-02"},
    )
    assert event.affects_closed_period is True


def test_voided_presence_frees_its_slot_for_a_new_declaration(state, now, presence):
    world, [history] = stored(state, now, presence("r1", "2025-03-18", "08:00", "12:00"))
    voided, _ = void_presence(history, reason="wrong child", state=world, now=LATER)
    [result] = process_batch(
        [presence("r2", "2025-03-18", "08:00", "12:00")],
        replace(world, presences=[voided]),
        now=LATER,
    )
    assert result.violations == ()


def test_void_twice_is_refused_already_voided(state, now, presence):
    world, [history] = stored(state, now, presence("r1", "2025-03-18", "08:00", "12:00"))
    voided, _ = void_presence(history, reason="absent", state=world, now=LATER)
    with pytest.raises(AttendanceDomainError) as caught:
        void_presence(voided, reason="again", state=replace(world, presences=[voided]), now=LATER)
    assert caught.value.violations[0].code is Code.ALREADY_VOIDED


def test_void_presence_backing_a_meal_is_refused(state, now, presence, meal):
    world, [history, _] = stored(
        state, now, presence("r1", "2025-03-18", "08:00", "14:00"), meal("m1", "2025-03-18")
    )
    with pytest.raises(AttendanceDomainError) as caught:
        void_presence(history, reason="absent", state=world, now=LATER)
    assert caught.value.violations[0].code is Code.NO_PRESENCE_THAT_DAY


def test_amend_meal_count_1_to_2_emits_previous_and_new_count(state, now, presence, meal):
    world, [_, history] = stored(
        state, now, presence("r1", "2025-03-18", "08:00", "19:00"), meal("m1", "2025-03-18")
    )
    amended, event = amend_meal(
        history, day=date(2025, 3, 18), count=2, reason="dinner too", state=world, now=LATER
    )
    assert [v.content.count for v in amended.versions] == [1, 2]
    assert (event.count, event.previous_count, event.voided, event.version) == (2, 1, False, 2)


def test_amend_meal_to_day_without_presence_is_refused(state, now, presence, meal):
    world, [_, history] = stored(
        state, now, presence("r1", "2025-03-18", "08:00", "19:00"), meal("m1", "2025-03-18")
    )
    with pytest.raises(AttendanceDomainError) as caught:
        amend_meal(
            history, day=date(2025, 3, 17), count=1, reason="wrong day", state=world, now=LATER
        )
    assert caught.value.violations[0].code is Code.NO_PRESENCE_THAT_DAY


def test_void_meal_emits_meal_corrected_voided_with_count_0(state, now, presence, meal):
    _, [_, history] = stored(
        state,
        now,
        presence("r1", "2025-03-18", "08:00", "19:00"),
        meal("m1", "2025-03-18", count=2),
    )
    voided, event = void_meal(history, reason="not eaten", now=LATER, closed_months={"2025-03"})
    assert voided.current.status is RecordStatus.VOIDED
    assert (event.count, event.previous_count, event.voided) == (0, 2, True)
    assert event.affects_closed_period is True


def test_retry_of_original_post_after_amendment_is_duplicate_new_content_conflict(
    state, now, presence
):
    original = presence("r1", "2025-03-18", "08:00", "12:00")
    world, [history] = stored(state, now, original)
    amended, _ = amend_presence(
        history,
        start=datetime(2025, 3, 18, 8, 0),
        end=datetime(2025, 3, 18, 13, 0),
        reason="left later",
        state=world,
        now=LATER,
    )
    world = replace(world, presences=[amended])
    retry, other = process_batch(
        [original, presence("r1", "2025-03-18", "09:00", "12:00")], world, now=LATER
    )
    assert (retry.outcome, retry.record) == (Outcome.DUPLICATE, amended)
    assert [v.code for v in other.violations] == [Code.CONFLICTING_REPEAT]
