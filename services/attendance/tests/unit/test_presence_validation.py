"""Presence, meal and reservation validation and idempotent ingest (csa-rules.md §10)."""

from __future__ import annotations

from datetime import date, datetime

from csa_attendance.domain.batch import Outcome, process_batch
from csa_attendance.domain.errors import Code, RecordRef
from csa_attendance.domain.records import ReservationDeclaration


def codes(result):  # type: ignore[no-untyped-def]
    return [v.code for v in result.violations]


def test_presence_under_contract_8_to_12_is_accepted_with_240_minutes(state, now, presence):
    [result] = process_batch([presence("r1", "2025-03-18", "08:00", "12:00")], state, now=now)
    assert result.outcome is Outcome.ACCEPTED
    assert result.event is not None
    assert (result.event.minutes, result.event.version) == (240, 1)
    assert result.event.affects_closed_period is False
    assert result.record is not None and result.record.current.version == 1


def test_unknown_provider_is_rejected_unknown_provider(state, now, presence):
    [result] = process_batch(
        [presence("r1", "2025-03-18", "08:00", "12:00", provider="nope")], state, now=now
    )
    assert codes(result) == [Code.UNKNOWN_PROVIDER]
    assert result.violations[0].field == "provider_id"


def test_unknown_child_is_rejected_unknown_child(state, now, presence):
    [result] = process_batch(
        [presence("r1", "2025-03-18", "08:00", "12:00", child="ghost")], state, now=now
    )
    assert result.outcome is Outcome.REJECTED
    assert codes(result) == [Code.UNKNOWN_CHILD]
    assert result.violations[0].field == "child_id"


def test_provider_posting_another_providers_child_gets_same_answer_as_unknown_child(
    state, now, presence
):
    # c2 is under contract at sea-b only; sea-a must not learn that c2 exists.
    [foreign] = process_batch(
        [presence("r1", "2025-03-18", "08:00", "12:00", child="c2")], state, now=now
    )
    [ghost] = process_batch(
        [presence("r1", "2025-03-18", "08:00", "12:00", child="ghost")], state, now=now
    )
    assert foreign.violations == ghost.violations
    assert codes(foreign) == [Code.UNKNOWN_CHILD]


def test_presence_outside_contract_dates_is_rejected_no_contract_on_date(state, now, presence):
    [result] = process_batch(
        [presence("r1", "2025-02-27", "08:00", "12:00", child="c3")], state, now=now
    )
    assert codes(result) == [Code.NO_CONTRACT_ON_DATE]
    assert "2025-02-27" in result.violations[0].message


def test_presence_crossing_midnight_into_day_after_contract_end_is_rejected(state, presence):
    late = datetime(2025, 4, 2, 12, 0)
    p = presence("r1", "2025-03-31", "20:00", "02:00", child="c3", end_day="2025-04-01")
    [result] = process_batch([p], state, now=late)
    assert codes(result) == [Code.NO_CONTRACT_ON_DATE]
    assert "2025-04-01" in result.violations[0].message


def test_end_before_start_is_rejected_end_not_after_start_on_field_end(state, now, presence):
    [result] = process_batch([presence("r1", "2025-03-18", "12:00", "08:00")], state, now=now)
    assert codes(result) == [Code.END_NOT_AFTER_START]
    assert result.violations[0].field == "end"


def test_zero_length_presence_is_rejected_end_not_after_start(state, now, presence):
    [result] = process_batch([presence("r1", "2025-03-18", "08:00", "08:00")], state, now=now)
    assert codes(result) == [Code.END_NOT_AFTER_START]


def test_presence_ending_after_now_is_rejected_in_future(state, now, presence):
    [result] = process_batch([presence("r1", "2025-03-20", "08:00", "18:01")], state, now=now)
    assert codes(result) == [Code.IN_FUTURE]


def test_presence_ending_exactly_now_is_accepted(state, now, presence):
    [result] = process_batch([presence("r1", "2025-03-20", "08:00", "18:00")], state, now=now)
    assert result.outcome is Outcome.ACCEPTED


def test_presence_of_24_h_is_accepted_and_24_h_01_is_rejected_too_long(state, now, presence):
    ok = presence("r1", "2025-03-10", "07:00", "07:00", end_day="2025-03-11")
    long = presence("r2", "2025-03-12", "07:00", "07:01", end_day="2025-03-13")
    results = process_batch([ok, long], state, now=now)
    assert results[0].outcome is Outcome.ACCEPTED
    assert results[0].event is not None and results[0].event.minutes == 1440
    assert codes(results[1]) == [Code.TOO_LONG]


def test_presence_with_seconds_is_rejected_not_whole_minute(state, now, presence):
    p = presence("r1", "2025-03-18", "08:00:30", "12:00")
    [result] = process_batch([p], state, now=now)
    assert codes(result) == [Code.NOT_WHOLE_MINUTE]
    assert result.violations[0].field == "start"


def test_overlap_at_same_provider_names_the_existing_record(state, now, presence):
    results = process_batch(
        [
            presence("r1", "2025-03-18", "08:00", "12:00"),
            presence("r2", "2025-03-18", "11:00", "13:00"),
        ],
        state,
        now=now,
    )
    assert [r.outcome for r in results] == [Outcome.ACCEPTED, Outcome.REJECTED]
    [violation] = results[1].violations
    assert violation.code is Code.OVERLAP
    assert violation.conflicting == RecordRef("sea-a", "r1")
    assert "r1" in violation.message


def test_overlap_with_other_provider_is_rejected_without_naming_it(state, now, presence):
    results = process_batch(
        [
            presence("b1", "2025-03-18", "08:00", "12:00", provider="sea-b"),
            presence("a1", "2025-03-18", "11:59", "13:00", provider="sea-a"),
        ],
        state,
        now=now,
    )
    [violation] = results[1].violations
    assert violation.code is Code.OVERLAP
    assert violation.conflicting == RecordRef("sea-b", "b1")
    assert "b1" not in violation.message and "sea-b" not in violation.message


def test_touching_presences_12_00_end_and_12_00_start_are_both_accepted(state, now, presence):
    results = process_batch(
        [
            presence("r1", "2025-03-18", "08:00", "12:00"),
            presence("r2", "2025-03-18", "12:00", "13:00"),
        ],
        state,
        now=now,
    )
    assert [r.outcome for r in results] == [Outcome.ACCEPTED, Outcome.ACCEPTED]


def test_identical_repeat_is_duplicate_returns_stored_and_emits_nothing(state, now, presence):
    p = presence("r1", "2025-03-18", "08:00", "12:00")
    first, repeat = process_batch([p, p], state, now=now)
    assert repeat.outcome is Outcome.DUPLICATE
    assert repeat.event is None
    assert repeat.record == first.record


def test_repeat_against_stored_state_is_duplicate(state, now, presence):
    p = presence("r1", "2025-03-18", "08:00", "12:00")
    [first] = process_batch([p], state, now=now)
    stored = type(state)(
        providers=state.providers, contracts=state.contracts, presences=[first.record]
    )
    [repeat] = process_batch([p], stored, now=now)
    assert (repeat.outcome, repeat.event, repeat.record) == (Outcome.DUPLICATE, None, first.record)


def test_same_record_id_different_times_is_rejected_conflicting_repeat(state, now, presence):
    first, second = process_batch(
        [
            presence("r1", "2025-03-18", "08:00", "12:00"),
            presence("r1", "2025-03-18", "08:00", "12:30"),
        ],
        state,
        now=now,
    )
    assert codes(second) == [Code.CONFLICTING_REPEAT]
    assert second.record == first.record
    assert second.event is None


def test_same_record_id_at_two_providers_are_distinct_records(state, now, presence):
    results = process_batch(
        [
            presence("r1", "2025-03-18", "08:00", "12:00", provider="sea-a"),
            presence("r1", "2025-03-19", "08:00", "12:00", provider="sea-b"),
        ],
        state,
        now=now,
    )
    assert [r.outcome for r in results] == [Outcome.ACCEPTED, Outcome.ACCEPTED]


def test_meal_with_presence_that_day_is_accepted(state, now, presence, meal):
    results = process_batch(
        [presence("r1", "2025-03-18", "08:00", "14:00"), meal("m1", "2025-03-18")], state, now=now
    )
    assert results[1].outcome is Outcome.ACCEPTED
    assert results[1].event is not None and results[1].event.count == 1


def test_meal_without_presence_that_day_at_that_provider_is_rejected(state, now, presence, meal):
    results = process_batch(
        [
            presence("r1", "2025-03-18", "08:00", "14:00", provider="sea-b"),
            meal("m1", "2025-03-18", provider="sea-a"),
        ],
        state,
        now=now,
    )
    assert codes(results[1]) == [Code.NO_PRESENCE_THAT_DAY]


def test_meal_count_zero_and_four_are_rejected_meal_count_out_of_range(state, now, meal):
    results = process_batch(
        [meal("m0", "2025-03-18", count=0), meal("m4", "2025-03-18", count=4)], state, now=now
    )
    assert [codes(r) for r in results] == [[Code.MEAL_COUNT_OUT_OF_RANGE]] * 2
    assert results[0].violations[0].field == "count"


def test_fourth_meal_of_the_day_at_one_provider_is_rejected(state, now, presence, meal):
    results = process_batch(
        [
            presence("r1", "2025-03-18", "07:00", "20:00"),
            meal("m1", "2025-03-18", count=2),
            meal("m2", "2025-03-18", count=1),
            meal("m3", "2025-03-18", count=1),
        ],
        state,
        now=now,
    )
    assert [r.outcome for r in results] == [Outcome.ACCEPTED] * 3 + [Outcome.REJECTED]
    assert codes(results[3]) == [Code.TOO_MANY_MEALS_THAT_DAY]


def test_meal_on_a_future_day_is_rejected_in_future(state, now, meal):
    [result] = process_batch([meal("m1", "2025-03-21")], state, now=now)
    assert Code.IN_FUTURE in codes(result)


def test_meal_for_foreign_child_gets_unknown_child(state, now, meal):
    [result] = process_batch([meal("m1", "2025-03-18", child="c2")], state, now=now)
    assert codes(result) == [Code.UNKNOWN_CHILD]


def test_meal_on_presence_crossing_midnight_counts_for_the_second_day(state, now, presence, meal):
    results = process_batch(
        [
            presence("r1", "2025-03-18", "19:00", "09:00", end_day="2025-03-19"),
            meal("m1", "2025-03-19"),
        ],
        state,
        now=now,
    )
    assert results[1].outcome is Outcome.ACCEPTED


def reservation(
    record_id: str, day: str, start: str, end: str, **kw: str
) -> ReservationDeclaration:
    return ReservationDeclaration(
        provider_id=kw.get("provider", "sea-b"),
        record_id=record_id,
        child_id=kw.get("child", "c1"),
        start=datetime.fromisoformat(f"{day}T{start}"),
        end=datetime.fromisoformat(f"{day}T{end}"),
    )


def test_future_reservation_is_accepted_with_300_minutes(state, now):
    [result] = process_batch([reservation("s1", "2025-04-02", "08:00", "13:00")], state, now=now)
    assert result.outcome is Outcome.ACCEPTED
    assert result.event is not None and result.event.minutes == 300


def test_overlapping_reservations_at_same_provider_second_rejected(state, now):
    results = process_batch(
        [
            reservation("s1", "2025-04-02", "08:00", "13:00"),
            reservation("s2", "2025-04-02", "12:00", "14:00"),
        ],
        state,
        now=now,
    )
    assert codes(results[1]) == [Code.OVERLAP]


def test_reservation_for_foreign_child_gets_unknown_child(state, now):
    [result] = process_batch(
        [reservation("s1", "2025-04-02", "08:00", "13:00", provider="sea-a", child="c2")],
        state,
        now=now,
    )
    assert codes(result) == [Code.UNKNOWN_CHILD]


def test_presence_in_closed_period_is_flagged_affects_closed_period(state, now, presence):
    # 2025-03-01 (a Saturday) belongs to the 2025-02 billing period.
    [result] = process_batch(
        [presence("r1", "2025-03-01", "08:00", "12:00", child="c3")],
        state,
        now=now,
        closed_months={"2025-02"},
    )
    assert result.event is not None and result.event.affects_closed_period is True
    assert date(2025, 3, 1) == result.event.start.date()


def test_a_presence_in_year_1_or_9999_is_rejected_and_the_rest_of_the_batch_decided(
    state, now, presence, meal
):
    items = [
        presence("r-year-1", "0001-01-01", "08:00", "12:00"),
        presence("r-9999", "9999-12-31", "08:00", "12:00"),
        presence("r-1999", "1999-12-31", "08:00", "12:00"),
        meal("m-9999", "9999-12-31"),
        presence("r-ok", "2025-03-18", "08:00", "12:00"),
    ]

    results = process_batch(items, state, now=now)

    assert [(r.outcome, codes(r)) for r in results] == [
        *[(Outcome.REJECTED, [Code.INVALID_VALUE])] * 4,
        (Outcome.ACCEPTED, []),
    ]
    assert [r.violations[0].field for r in results[:4]] == ["start", "start", "start", "day"]
