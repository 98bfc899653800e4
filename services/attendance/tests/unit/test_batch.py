"""Batch semantics: limit, per-item results, overlap property (csa-rules.md §10)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from csa_attendance.domain.batch import BATCH_LIMIT, Outcome, process_batch
from csa_attendance.domain.errors import BatchTooLarge
from csa_attendance.domain.records import PresenceDeclaration

from_day = datetime(2025, 3, 10)


def _presence(i: int, start_min: int, length_min: int, provider: str) -> PresenceDeclaration:
    start = from_day + timedelta(minutes=start_min)
    return PresenceDeclaration(
        provider_id=provider,
        record_id=f"r{i}",
        child_id="c1",
        start=start,
        end=start + timedelta(minutes=length_min),
    )


def test_batch_of_1001_items_is_refused_whole_batch_too_large(state, now):
    items = [_presence(i, i * 10, 5, "sea-a") for i in range(BATCH_LIMIT + 1)]
    with pytest.raises(BatchTooLarge) as caught:
        process_batch(items, state, now=now)
    assert (caught.value.size, caught.value.limit) == (1001, 1000)


def test_batch_of_1000_disjoint_items_all_accepted(state, now):
    items = [_presence(i, i * 10, 5, "sea-a") for i in range(BATCH_LIMIT)]
    results = process_batch(items, state, now=now)
    assert [r.index for r in results] == list(range(1000))
    assert {r.outcome for r in results} == {Outcome.ACCEPTED}


def test_batch_is_not_all_or_nothing_bad_item_in_middle_only_it_rejected(state, now, presence):
    results = process_batch(
        [
            presence("r1", "2025-03-18", "08:00", "12:00"),
            presence("r2", "2025-03-18", "15:00", "14:00"),
            presence("r3", "2025-03-18", "14:00", "16:00"),
        ],
        state,
        now=now,
    )
    assert [r.outcome for r in results] == [Outcome.ACCEPTED, Outcome.REJECTED, Outcome.ACCEPTED]


def test_rejected_item_does_not_block_a_later_item_on_its_slot(state, now, presence):
    results = process_batch(
        [
            presence("r1", "2025-03-18", "08:00", "12:00", child="c2"),  # c2 unknown at sea-a
            presence("r2", "2025-03-18", "08:00", "12:00", child="c2", provider="sea-b"),
        ],
        state,
        now=now,
    )
    assert [r.outcome for r in results] == [Outcome.REJECTED, Outcome.ACCEPTED]


def _meet(a: PresenceDeclaration, b: PresenceDeclaration) -> bool:
    """Independent oracle: half-open spans share an instant."""
    return a.start < b.end and b.start < a.end


spans = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=3 * 24 * 60),
        st.integers(min_value=-30, max_value=26 * 60),
        st.sampled_from(["sea-a", "sea-b"]),
    ),
    max_size=40,
)


# `state` is immutable, so sharing it across examples is safe.
@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(spans=spans)
def test_property_accepted_presences_never_overlap_and_overlap_rejections_are_real(state, spans):
    items = [_presence(i, s, n, p) for i, (s, n, p) in enumerate(spans)]
    results = process_batch(items, state, now=datetime(2025, 4, 1))
    accepted = [items[r.index] for r in results if r.outcome is Outcome.ACCEPTED]
    for i, a in enumerate(accepted):
        for b in accepted[i + 1 :]:
            assert not _meet(a, b)
    # Every well-formed item rejected for overlap really meets an earlier accepted item.
    for r in results:
        if r.outcome is Outcome.REJECTED and r.violations[0].code == "overlap":
            earlier = [items[x.index] for x in results[: r.index] if x.outcome is Outcome.ACCEPTED]
            assert any(_meet(items[r.index], e) for e in earlier)
