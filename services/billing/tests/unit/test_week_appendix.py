"""The three worked weeks of the csa-rules.md appendix, to the cent."""

from datetime import date
from decimal import Decimal

from csa_billing.domain.lines import LineKind, Rule
from csa_billing.domain.week import compute_week


def test_appendix_1_plurilingual_creche_lt3_rank2_36h_parent_20_00_state_214_00(build) -> None:
    week = build.week(
        [build.sea("c", pluri=True)],
        [build.at(d, "08:00", "17:00", "c") for d in range(4)],
        category="lt_3", rank=2, born=date(2023, 2, 1), meals=build.meals(range(4), "c"),
    )  # fmt: skip
    result = compute_week(week)
    by_rule = {ln.rule: ln for ln in result.lines}
    assert by_rule[Rule.PLURILINGUAL_FREE].state_amount == Decimal("120.00")
    assert by_rule[Rule.TRANCHE_1].quantity == Decimal("8.00")
    assert by_rule[Rule.TRANCHE_1].state_amount == Decimal("48.00")
    assert by_rule[Rule.TRANCHE_2].parent_amount == Decimal("12.00")
    assert by_rule[Rule.TRANCHE_2].state_amount == Decimal("36.00")
    meal = by_rule[Rule.MEAL_CATEGORY_RATE]
    assert (meal.parent_amount, meal.state_amount) == (Decimal("8.00"), Decimal("10.00"))
    assert (result.parent_total, result.state_total) == (Decimal("20.00"), Decimal("214.00"))


def test_appendix_2_maison_relais_lt2_schoolchild_parent_0_00_state_205_50(build) -> None:
    presences = [
        build.at(d, start, end, "m")
        for d in range(5)
        for start, end in (("07:00", "08:00"), ("12:00", "14:00"), ("16:00", "18:30"))
    ]
    presences.append(build.at(5, "09:00", "12:00", "m"))
    week = build.week(
        [build.sea("m")], presences, category="lt_2", rank=1, born=date(2018, 4, 2),
        schooling="fundamental", meals=build.meals(range(5), "m"),
    )  # fmt: skip
    result = compute_week(week)
    assert result.hours.school_free == 1650  # 27.5 h
    assert result.hours.tranche_1 == 180  # Saturday 3 h
    by_rule = {ln.rule: ln for ln in result.lines}
    assert by_rule[Rule.SCHOOL_FREE].state_amount == Decimal("165.00")
    assert by_rule[Rule.TRANCHE_1].state_amount == Decimal("18.00")
    assert by_rule[Rule.MEAL_FREE_SCHOOL_WEEK].state_amount == Decimal("22.50")
    assert (result.parent_total, result.state_total) == (Decimal("0.00"), Decimal("205.50"))


def test_appendix_3_ap_evening_ge45_rank2_4_night_hours_parent_15_20_state_10_80(build) -> None:
    week = build.week(
        [build.ap("a", "6.00")], [build.at(1, "19:00", "23:00", "a")],
        category="ge_4_5", rank=2, born=date(2023, 2, 1),
    )  # fmt: skip
    result = compute_week(week)
    care = [ln for ln in result.lines if ln.kind is LineKind.CARE]
    assert [(ln.rule, ln.quantity, ln.parent_rate, ln.state_rate) for ln in care] == [
        (Rule.TRANCHE_1, Decimal("3.00"), Decimal("3.20"), Decimal("2.20")),
        (Rule.TRANCHE_2, Decimal("1.00"), Decimal("3.20"), Decimal("2.20")),
    ]
    supplements = [ln for ln in result.lines if ln.kind is LineKind.SUPPLEMENT]
    assert sum(ln.parent_amount for ln in supplements) == Decimal("2.40")  # 4 h x 0.60
    night = [ln for ln in result.lines if ln.kind is LineKind.AP_SUPPLEMENT]
    assert [(ln.quantity, ln.state_amount) for ln in night] == [(Decimal("4.00"), Decimal("2.00"))]
    assert (result.parent_total, result.state_total) == (Decimal("15.20"), Decimal("10.80"))
