"""Parent/state split by provider type, AP supplement, holiday cap (csa-rules.md §4, §5)."""

from datetime import date
from decimal import Decimal

from csa_billing.domain.lines import LineKind, Rule
from csa_billing.domain.week import compute_week

D = Decimal
OCTOBER_2024 = date(2024, 10, 7)  # a school week under the first parameter set (AP cap 3.75)


def _lines(result, kind):
    return [ln for ln in result.lines if ln.kind is kind]


def test_sea_conventionne_at_cap_lt2_3h_tranche1_state_18_00_no_supplement(build) -> None:
    result = compute_week(build.week([build.sea()], [build.at(0, "09:00", "12:00")]))
    assert (result.parent_total, result.state_total) == (D("0.00"), D("18.00"))
    assert not _lines(result, LineKind.SUPPLEMENT)


def test_sea_commercial_8_00_lt2_3h_state_18_00_parent_supplement_6_00(build) -> None:
    week = build.week([build.sea(price="8.00", commercial=True)], [build.at(0, "09:00", "12:00")])
    result = compute_week(week)
    [supplement] = _lines(result, LineKind.SUPPLEMENT)
    assert (supplement.unit_price, supplement.parent_amount) == (D("2.00"), D("6.00"))
    assert supplement.quantity == D("3.00")
    assert (result.parent_total, result.state_total) == (D("6.00"), D("18.00"))


def test_sea_price_below_cap_5_00_rate_4_00_state_1_00_per_hour(build) -> None:
    week = build.week([build.sea(price="5.00")], [build.at(0, "09:00", "12:00")],
                      category="ge_4_5")  # fmt: skip
    result = compute_week(week)
    assert (result.parent_total, result.state_total) == (D("12.00"), D("3.00"))


def test_ap_first_set_cap_3_75_price_5_00_lt2_3h_state_11_25_supplement_3_75(build) -> None:
    week = build.week([build.ap("a", "5.00")], [build.at(0, "09:00", "12:00", "a",
                      monday=OCTOBER_2024)], monday=OCTOBER_2024)  # fmt: skip
    result = compute_week(week)
    assert (result.parent_total, result.state_total) == (D("3.75"), D("11.25"))


def test_ap_newest_set_cap_5_40_price_5_00_lt2_3h_state_15_00(build) -> None:
    result = compute_week(build.week([build.ap("a", "5.00")], [build.at(0, "09:00", "12:00", "a")]))
    assert (result.parent_total, result.state_total) == (D("0.00"), D("15.00"))


def test_ap_rate_above_cap_ge45_cap_3_75_state_0_parent_3_75_plus_supplement(build) -> None:
    """Rate 4.00 > cap 3.75: state max(0, 3.75 - 4.00) = 0; parent 3 x 5.00 = 15.00."""
    week = build.week([build.ap("a", "5.00")], [build.at(0, "09:00", "12:00", "a",
                      monday=OCTOBER_2024)], category="ge_4_5", monday=OCTOBER_2024)  # fmt: skip
    result = compute_week(week)
    assert (result.parent_total, result.state_total) == (D("15.00"), D("0.00"))


def test_ap_saturday_2h_lt2_state_10_00_plus_weekend_supplement_1_00(build) -> None:
    result = compute_week(build.week([build.ap("a", "5.00")], [build.at(5, "10:00", "12:00", "a")]))
    [extra] = _lines(result, LineKind.AP_SUPPLEMENT)
    assert (extra.quantity, extra.state_amount) == (D("2.00"), D("1.00"))
    assert (result.parent_total, result.state_total) == (D("0.00"), D("11.00"))


def test_ap_public_holiday_daytime_2h_gets_supplement_1_00(build) -> None:
    week = build.week([build.ap("a", "5.00")], [build.at(2, "10:00", "12:00", "a")], public=[2])
    assert compute_week(week).state_total == D("11.00")


def test_ap_morning_06_to_08_one_night_hour_supplement_0_50(build) -> None:
    result = compute_week(build.week([build.ap("a", "5.00")], [build.at(1, "06:00", "08:00", "a")]))
    [extra] = _lines(result, LineKind.AP_SUPPLEMENT)
    assert extra.state_amount == D("0.50")


def test_ap_hours_beyond_60_get_no_night_supplement(build) -> None:
    """60 h weekdays 07-19 at the AP, then 2 night hours beyond the cap: no supplement."""
    presences = [*build.full_weekdays("a"), build.at(4, "20:00", "22:00", "a")]
    result = compute_week(build.week([build.ap("a", "5.00")], presences))
    assert not _lines(result, LineKind.AP_SUPPLEMENT)
    assert result.hours.unsupported == 120


def test_sea_night_hours_get_no_ap_supplement(build) -> None:
    result = compute_week(build.week([build.sea()], [build.at(1, "19:00", "21:00")]))
    assert not _lines(result, LineKind.AP_SUPPLEMENT)


def test_holiday_week_young_ge45_60h_parent_capped_100_00_state_260_00(build) -> None:
    """Uncapped parent 312.00 (state 48.00); cap 100.00: the state takes 212.00 more."""
    week = build.week([build.sea()], build.full_weekdays(), category="ge_4_5", holiday=True)
    result = compute_week(week)
    [cap] = _lines(result, LineKind.HOLIDAY_CAP)
    assert (cap.parent_amount, cap.state_amount) == (D("-212.00"), D("212.00"))
    assert (result.parent_total, result.state_total) == (D("100.00"), D("260.00"))


def test_holiday_week_ge45_70h_beyond_60_stay_with_the_parent_parent_160_00_state_260_00(
    build,
) -> None:
    """ge_4_5 rank 1, young child, SEA 6.00, holiday week, Mon-Fri 07-19 (60 h) + Saturday
    08-18 (10 h). Tranches: 3 h x 4.00 + 21 h x 4.00 + 36 h x 6.00 = 312.00 parent, state
    24 h x 2.00 = 48.00. Cap: the state takes 312.00 - 100.00 = 212.00 of the tranches.
    Beyond 60: 10 h x 6.00 = 60.00, all the parent's (seeds 002, 004), state 0.
    Parent 100.00 + 60.00 = 160.00; state 48.00 + 212.00 = 260.00 (= 70 h x 6.00 - 160.00)."""
    presences = [*build.full_weekdays(), build.at(5, "08:00", "18:00")]
    week = build.week([build.sea()], presences, category="ge_4_5", holiday=True)
    result = compute_week(week)
    [beyond] = [ln for ln in result.lines if ln.rule is Rule.UNSUPPORTED]
    assert (beyond.parent_amount, beyond.state_amount) == (D("60.00"), D("0.00"))
    [cap] = _lines(result, LineKind.HOLIDAY_CAP)
    assert (cap.parent_amount, cap.state_amount) == (D("-212.00"), D("212.00"))
    assert (result.parent_total, result.state_total) == (D("160.00"), D("260.00"))


def test_holiday_week_commercial_8_00_ge45_60h_supplement_outside_cap_parent_220_00(
    build,
) -> None:
    """Tranche lines at min(8.00, 6.00): parent 312.00, state 48.00; the cap brings the
    parent's tranche part to 100.00 (state +212.00). The supplement, 60 h x (8.00 - 6.00) =
    120.00 in one line, stays with the parent on top: parent 220.00, state 260.00."""
    week = build.week([build.sea(price="8.00", commercial=True)], build.full_weekdays(),
                      category="ge_4_5", holiday=True)  # fmt: skip
    result = compute_week(week)
    [supplement] = _lines(result, LineKind.SUPPLEMENT)
    assert (supplement.quantity, supplement.parent_amount) == (D("60.00"), D("120.00"))
    assert (result.parent_total, result.state_total) == (D("220.00"), D("260.00"))


def test_holiday_cap_three_providers_split_by_parent_amounts_largest_takes_the_cent(
    build,
) -> None:
    """ge_4_5 rank 1, holiday week, three SEAs at 6.00 in turn: s1 1 h (tranche 1: 4.00),
    s2 6 h (2 h tranche 1 + 4 h tranche 2: 24.00), s3 19 h (17 h tranche 2 + 2 h tranche 3:
    68.00 + 12.00 = 80.00). Parent tranches 108.00: the state takes 8.00, split 8 x 4/108 =
    0.296 -> 0.30, 8 x 24/108 = 1.777 -> 1.78, 8 x 80/108 = 5.925 -> 5.93; those make 8.01,
    so s3 (the largest part) takes the remaining 8.00 - 2.08 = 5.92."""
    hours = [(0, 7, 8, "s1"), (0, 8, 14, "s2"), (0, 14, 19, "s3"), (1, 7, 19, "s3"),
             (2, 7, 9, "s3")]  # fmt: skip
    presences = [build.at(d, f"{a:02d}:00", f"{b:02d}:00", p) for d, a, b, p in hours]
    week = build.week([build.sea("s1"), build.sea("s2"), build.sea("s3")], presences,
                      category="ge_4_5", holiday=True)  # fmt: skip
    result = compute_week(week)
    caps = {ln.provider: ln.state_amount for ln in _lines(result, LineKind.HOLIDAY_CAP)}
    assert caps == {"s1": D("0.30"), "s2": D("1.78"), "s3": D("5.92")}
    assert result.parent_total == D("100.00")


def test_one_supplement_line_per_provider_for_free_and_tranche_hours(build) -> None:
    """lt_3 rank 2, plurilingual commercial SEA at 8.00, Mon-Wed 08-17 (27 h): 20 free hours
    and 7 tranche hours, one supplement line of 27 h x 2.00 = 54.00 (§4: one per week and
    provider)."""
    presences = [build.at(d, "08:00", "17:00") for d in range(3)]
    week = build.week([build.sea(price="8.00", commercial=True, pluri=True)], presences,
                      category="lt_3", rank=2)  # fmt: skip
    [supplement] = _lines(compute_week(week), LineKind.SUPPLEMENT)
    assert (supplement.quantity, supplement.parent_amount) == (D("27.00"), D("54.00"))


def test_holiday_week_lt2_60h_parent_60_00_under_cap_unchanged(build) -> None:
    week = build.week([build.sea()], build.full_weekdays(), category="lt_2", holiday=True)
    result = compute_week(week)
    assert not _lines(result, LineKind.HOLIDAY_CAP)
    assert result.parent_total == D("60.00")


def test_holiday_cap_not_for_fundamental_child_ge45_60h_parent_312_00(build) -> None:
    week = build.week([build.sea()], build.full_weekdays(), category="ge_4_5", holiday=True,
                      schooling="fundamental", born=date(2018, 1, 1))  # fmt: skip
    assert compute_week(week).parent_total == D("312.00")


def test_holiday_cap_not_in_school_week_ge45_60h_parent_312_00(build) -> None:
    result = compute_week(build.week([build.sea()], build.full_weekdays(), category="ge_4_5"))
    assert result.parent_total == D("312.00")


def test_partly_holiday_week_ge45_60h_is_a_school_week_parent_312_00_not_capped_at_100(
    build,
) -> None:
    """Only Mon-Thu in the holiday list (Friday not): a school week (§5), so no 100.00 cap.
    ge_4_5 rank 1, young child, SEA 6.00, Mon-Fri 07:00-19:00 = 60 h: tranche 1, 3 h x 4.00
    = 12.00; tranche 2, 21 h x 4.00 = 84.00; tranche 3, 36 h x 6.00 = 216.00: parent 312.00;
    state 24 h x (6.00 - 4.00) = 48.00. (Mon-Fri all holiday: parent 100.00, state 260.00.)"""
    week = build.week([build.sea()], build.full_weekdays(), category="ge_4_5")
    days = frozenset(date(2025, 3, 10 + i) for i in range(4))
    from dataclasses import replace

    result = compute_week(replace(week, school_holidays=days))
    assert not result.holiday_week and result.parent_total == D("312.00")


def test_rank4_supplement_287_min_at_1_13_is_5_41_in_every_category(build) -> None:
    """Regression (found by hypothesis): one supplement line for all tranche hours, so the
    tranche boundaries of the category do not change its rounding: 287 x 1.13 / 60 = 5.4052."""
    presences = [build.at(0, "00:00", "00:01"), build.at(0, "00:02", "00:03"),
                 build.at(0, "00:04", "00:05"), build.at(0, "00:06", "00:07"),
                 build.at(0, "00:10", "04:53")]  # fmt: skip
    for category in ("rmg", "lt_2", "lt_2_5", "lt_3_5", "ge_4_5"):
        week = build.week([build.sea(price="7.13")], presences, category=category, rank=4)
        assert compute_week(week).parent_total == D("5.41"), category
