"""A child placed in an institution (csa-rules.md §2): lt_4_5 amounts, all paid by the state."""

from decimal import Decimal

from csa_billing.domain.lines import Line, LineKind, Rule
from csa_billing.domain.placement import state_takeover_lines, tariff_category
from csa_billing.domain.week import compute_week
from csa_shared.rules.categories import Category

D = Decimal


def test_a_placed_child_is_priced_with_the_lt_4_5_tariffs() -> None:
    assert tariff_category(Category.LT_2, True) is Category.LT_4_5
    assert tariff_category(Category.RMG, True) is Category.LT_4_5
    assert tariff_category(Category.LT_2, False) is Category.LT_2


def test_the_state_takes_over_the_whole_parent_share_at_each_provider(build) -> None:
    """lt_4_5, rank 1, young child, week of 2025-03-10 (AP cap 5.40).
    SEA 6.00/h, Monday 09:00-19:00 = 10 h: tranche 1, 3 h at parent 4.00 / state 2.00 →
    12.00 / 6.00; tranche 2, 7 h → 28.00 / 14.00; a meal at 4.50: parent 2.00 / state 2.50.
    AP 6.00/h, Tuesday 09:00-11:00 = 2 h of tranche 2 at min(6.00, 5.40): parent 8.00 /
    state 2.80, and the 0.60 above the cap: supplement 1.20 to the parent.
    Parent shares: SEA 42.00, AP 9.20; the state takes both over."""
    week = build.week(
        [build.sea("s"), build.ap("a", "6.00")],
        [build.at(0, "09:00", "19:00", "s"), build.at(1, "09:00", "11:00", "a")],
        category="lt_4_5",
        meals=build.meals([0], "s"),
    )
    result = compute_week(week)
    assert (result.parent_total, result.state_total) == (D("51.20"), D("25.30"))

    takeover = state_takeover_lines(result.lines)

    assert [(x.provider, x.parent_amount, x.state_amount) for x in takeover] == [
        ("s", D("-42.00"), D("42.00")),
        ("a", D("-9.20"), D("9.20")),
    ]
    assert {(x.kind, x.rule) for x in takeover} == {
        (LineKind.STATE_TAKEOVER, Rule.INSTITUTION_PLACEMENT)
    }
    assert takeover[0].rule_section == "csa-rules.md §2 (child placed in an institution)"
    lines = [*result.lines, *takeover]
    assert sum(x.parent_amount for x in lines) == D("0.00")  # the family pays nothing
    # the state pays everything the providers charge: 60.00 + 4.50 at the SEA, 12.00 at the AP
    assert sum(x.state_amount for x in lines) == D("76.50")


def test_nothing_to_take_over_gives_no_line() -> None:
    free = Line("s", LineKind.CARE, Rule.TRANCHE_1, D("3"), D("6.00"), D("0.00"), D("6.00"),
                D("0.00"), D("18.00"))  # fmt: skip
    assert state_takeover_lines([free]) == []
    relief = Line("s", LineKind.HOLIDAY_CAP, Rule.HOLIDAY_WEEKLY_CAP, D("1"), D("0"), D("0"),
                  D("0"), D("-20.00"), D("20.00"))  # fmt: skip
    paid = free._replace(parent_amount=D("120.00"), state_amount=D("0.00"))
    [line] = state_takeover_lines([paid, relief])  # net of the holiday cap relief
    assert (line.parent_amount, line.state_amount) == (D("-100.00"), D("100.00"))
