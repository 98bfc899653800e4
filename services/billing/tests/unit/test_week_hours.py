"""Order and classes of hours within a week (csa-rules.md §5)."""

from datetime import date
from decimal import Decimal

import pytest

from csa_billing.domain.lines import Rule
from csa_billing.domain.week import compute_week

D = Decimal


def test_lt45_rank1_20h_pluri_part_time_precoce_10_free_then_parent_40_00(build) -> None:
    """10 pluri h free, tranche 1: 3 h x 4.00 = 12.00, tranche 2: 7 h x 4.00 = 28.00."""
    week = build.week(
        [build.sea(pluri=True)], [build.at(d, "08:00", "13:00") for d in range(4)],
        category="lt_4_5", schooling="precoce_part_time", born=date(2021, 6, 1),
    )  # fmt: skip
    result = compute_week(week)
    assert result.hours.plurilingual_free == 600
    assert (result.parent_total, result.state_total) == (D("40.00"), D("80.00"))


def test_lt45_rank1_20h_pluri_full_time_precoce_no_free_hours_parent_80_00(build) -> None:
    """3 h x 4.00 + 17 h x 4.00 = 80.00; state 120.00 - 80.00 = 40.00."""
    week = build.week(
        [build.sea(pluri=True)], [build.at(d, "08:00", "13:00") for d in range(4)],
        category="lt_4_5", schooling="precoce_full_time", born=date(2021, 6, 1),
    )  # fmt: skip
    result = compute_week(week)
    assert result.hours.plurilingual_free == 0
    assert (result.parent_total, result.state_total) == (D("80.00"), D("40.00"))
    assert not result.plurilingual_week_counted


def test_child_under_one_gets_no_plurilingual_hours_parent_80_00(build) -> None:
    week = build.week(
        [build.sea(pluri=True)], [build.at(d, "08:00", "13:00") for d in range(4)],
        category="lt_4_5", born=date(2024, 6, 1),
    )  # fmt: skip
    assert compute_week(week).parent_total == D("80.00")


def test_first_birthday_on_wednesday_pluri_from_wednesday_only_parent_40_00(build) -> None:
    """Born 2024-03-12: Mon-Tue 10 h in tranches (12.00 + 28.00), Wed-Thu 10 h pluri free."""
    week = build.week(
        [build.sea(pluri=True)], [build.at(d, "08:00", "13:00") for d in range(4)],
        category="lt_4_5", born=date(2024, 3, 12),
    )  # fmt: skip
    result = compute_week(week)
    assert result.hours.plurilingual_free == 600
    assert result.parent_total == D("40.00")


def test_46_plurilingual_weeks_used_no_more_free_hours_parent_80_00(build) -> None:
    week = build.week(
        [build.sea(pluri=True)], [build.at(d, "08:00", "13:00") for d in range(4)],
        category="lt_4_5", plurilingual_weeks_used=46,
    )  # fmt: skip
    assert compute_week(week).parent_total == D("80.00")


def test_45_weeks_used_week_still_counts_20_free_hours_state_120_00(build) -> None:
    week = build.week(
        [build.sea(pluri=True)], [build.at(d, "08:00", "13:00") for d in range(4)],
        category="lt_4_5", plurilingual_weeks_used=45,
    )  # fmt: skip
    result = compute_week(week)
    assert (result.parent_total, result.state_total) == (D("0.00"), D("120.00"))
    assert result.plurilingual_week_counted


def test_plurilingual_never_at_an_assistant_parental_parent_12_00_for_3h(build) -> None:
    """AP 5.40 = cap: tranche 1, 3 h x 4.00 parent, state 3 x 1.40 = 4.20."""
    week = build.week(
        [build.ap("a", "5.40")], [build.at(0, "09:00", "12:00", "a")], category="lt_4_5"
    )
    result = compute_week(week)
    assert (result.parent_total, result.state_total) == (D("12.00"), D("4.20"))


def test_shared_counters_two_seas_pluri_10h_tranches_10h_pluri_10h_parent_40_00(build) -> None:
    """Mon at pluri SEA: 10 h free; Tue at other SEA: 3 h x 4 + 7 h x 4 = 40.00;
    Wed back at the pluri SEA: the remaining 10 pluri hours."""
    week = build.week(
        [build.sea("p", pluri=True), build.sea("o")],
        [build.at(0, "08:00", "18:00", "p"), build.at(1, "08:00", "18:00", "o"),
         build.at(2, "08:00", "18:00", "p")],
        category="lt_4_5",
    )  # fmt: skip
    result = compute_week(week)
    assert result.hours.plurilingual_free == 1200
    assert result.hours.tranche_1 == 180 and result.hours.tranche_2 == 420
    assert (result.parent_total, result.state_total) == (D("40.00"), D("140.00"))
    assert {ln.provider for ln in result.lines if ln.rule is Rule.TRANCHE_2} == {"o"}


def test_rank_6_uses_4plus_row_60h_parent_0_00_state_360_00(build) -> None:
    result = compute_week(build.week([build.sea()], build.full_weekdays(), category="ge_4_5",
                                     rank=6))  # fmt: skip
    assert (result.parent_total, result.state_total) == (D("0.00"), D("360.00"))


def test_70h_lt2_rank1_10h_beyond_60_at_full_price_parent_120_00_state_300_00(build) -> None:
    """60 h: 21 x 1.00 + 26 x 1.50 = 60.00; 10 h beyond at 6.00 = 60.00 to the parent."""
    presences = [*build.full_weekdays(), build.at(5, "08:00", "18:00")]
    result = compute_week(build.week([build.sea()], presences))
    assert result.hours.unsupported == 600
    assert (result.parent_total, result.state_total) == (D("120.00"), D("300.00"))


def test_fundamental_school_day_16_21_lt45_3h_free_2h_tranche1_parent_8_00_state_22_00(
    build,
) -> None:
    """School-age lt_4_5 rank 1 at an SEA 6.00, Monday (school day) 16:00-21:00:
    16:00-19:00 school-time free, 3 h: parent 0.00, state 3 x 6.00 = 18.00;
    19:00-21:00 is after school time: tranche 1 (3 h available), 2 h at rate 4.00:
    parent 2 x 4.00 = 8.00, state 2 x (6.00 - 4.00) = 4.00. Parent 8.00, state 22.00."""
    week = build.week([build.sea()], [build.at(0, "16:00", "21:00")], category="lt_4_5",
                      schooling="fundamental", born=date(2018, 1, 1))  # fmt: skip
    result = compute_week(week)
    assert (result.hours.school_free, result.hours.tranche_1) == (180, 120)
    assert result.parent_total == D("8.00")


@pytest.mark.parametrize("schooling", ["precoce_part_time", "precoce_full_time"])
def test_precoce_child_school_day_08_12_lt45_no_school_free_parent_16_00_state_8_00(
    build, schooling: str
) -> None:
    """Early education (précoce) is not fundamental education (§5.1): no school-time free
    care on a school day. lt_4_5 rank 1, SEA 6.00 without the plurilingual programme,
    Monday 08:00-12:00 (4 h): tranche 1, 3 h at 4.00 = 12.00, tranche 2, 1 h at 4.00 = 4.00;
    parent 16.00, state 4 x (6.00 - 4.00) = 8.00. (A fundamental child: 4 h free, state 24.00.)"""
    week = build.week([build.sea()], [build.at(0, "08:00", "12:00")], category="lt_4_5",
                      schooling=schooling, born=date(2021, 6, 1))  # fmt: skip
    result = compute_week(week)
    assert result.hours.school_free == 0
    assert (result.hours.tranche_1, result.hours.tranche_2) == (180, 60)
    assert (result.parent_total, result.state_total) == (D("16.00"), D("8.00"))


def test_fundamental_child_on_public_holiday_monday_pays_tranches_12_00(build) -> None:
    """Monday is a public holiday: no school-time free care; 3 h x 4.00 = 12.00."""
    week = build.week([build.sea()], [build.at(0, "09:00", "12:00")], category="lt_4_5",
                      schooling="fundamental", born=date(2018, 1, 1), public=[0])  # fmt: skip
    result = compute_week(week)
    assert result.hours.school_free == 0 and result.parent_total == D("12.00")


def test_fundamental_child_in_holiday_week_lt45_10h_parent_40_00_not_capped(build) -> None:
    """Holiday week: no school-time free care; 3 h x 4 + 7 h x 4 = 40.00."""
    week = build.week([build.sea()], [build.at(0, "08:00", "18:00")], category="lt_4_5",
                      schooling="fundamental", born=date(2018, 1, 1), holiday=True)  # fmt: skip
    result = compute_week(week)
    assert result.holiday_week and result.hours.school_free == 0
    assert result.parent_total == D("40.00")


def test_fundamental_72h_school_free_counts_toward_60_cap_12h_beyond_at_6_00(build) -> None:
    """60 h school-time free (Mon-Fri 07-19), Saturday 12 h beyond the cap: parent 72.00."""
    presences = [*build.full_weekdays(), build.at(5, "07:00", "19:00")]
    week = build.week([build.sea()], presences, schooling="fundamental", born=date(2018, 1, 1))
    result = compute_week(week)
    assert (result.hours.school_free, result.hours.unsupported) == (3600, 720)
    assert (result.parent_total, result.state_total) == (D("72.00"), D("360.00"))


def test_presence_across_midnight_split_at_day_boundaries_lt45_3h_parent_12_00(build) -> None:
    """Sat 22:00 to Sun 01:00 at an AP 5.40: 3 night hours of tranche 1 at 4.00: state
    3 x 1.40 = 4.20 + night supplement 3 x 0.50 = 1.50."""
    presence = build.at(5, "22:00", "25:00", "a")
    result = compute_week(build.week([build.ap("a", "5.40")], [presence], category="lt_4_5"))
    assert (result.parent_total, result.state_total) == (D("12.00"), D("5.70"))


def test_20_minutes_lt45_rank1_parent_1_33_state_0_67_rounded_once_per_line(build) -> None:
    """1/3 h x 6.00 = 2.00 total; state 1/3 x 2.00 = 0.666.. -> 0.67; parent 1.33."""
    result = compute_week(build.week([build.sea()], [build.at(0, "08:00", "08:20")],
                                     category="lt_4_5"))  # fmt: skip
    assert (result.parent_total, result.state_total) == (D("1.33"), D("0.67"))


def test_record_ids_are_carried_to_the_lines(build) -> None:
    presences = [
        build.at(0, "08:00", "10:00", record="r1"),
        build.at(1, "08:00", "10:00", record="r2"),
    ]
    result = compute_week(build.week([build.sea()], presences))
    assert result.lines[0].record_ids == ("r1", "r2")
