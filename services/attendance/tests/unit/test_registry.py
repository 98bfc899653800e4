"""Provider registry, education contracts, AP service sheets, other charges (§10, seed 004 §4)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal

import pytest

from csa_attendance.domain.charges import (
    ChargeKind,
    OtherCharge,
    charge_ingest_decision,
    record_other_charge,
)
from csa_attendance.domain.contracts import BillingMode, end_contract, start_contract
from csa_attendance.domain.errors import AttendanceDomainError, Code
from csa_attendance.domain.events import ServiceSheetDay
from csa_attendance.domain.providers import change_provider, register_provider
from csa_attendance.domain.records import Ingest
from csa_attendance.domain.service_sheets import submit_service_sheet
from csa_shared.rules.parameters import ProviderType

CAP = Decimal("6.00")
NOW = datetime(2025, 3, 20, 18, 0)


def codes(caught):
    return [v.code for v in caught.value.violations]


# Provider registry ---------------------------------------------------------------------


def test_register_sea_conventionne_at_6_00_emits_provider_registered_v1(state):
    base = state.providers["sea-a"].current
    provider, event = register_provider(
        provider_id="sea-new", provider_type=ProviderType.SEA_CONVENTIONNE, terms=base, sea_cap=CAP
    )
    assert (provider.version, event.version, event.hourly_price) == (1, 1, Decimal("6.00"))
    assert event.record_id == event.provider_id == "sea-new"


def test_sea_conventionne_at_6_01_is_refused_price_above_cap(state):
    base = replace(state.providers["sea-a"].current, hourly_price=Decimal("6.01"))
    with pytest.raises(AttendanceDomainError) as caught:
        register_provider(
            provider_id="x", provider_type=ProviderType.SEA_CONVENTIONNE, terms=base, sea_cap=CAP
        )
    assert codes(caught) == [Code.PRICE_ABOVE_CAP]
    assert caught.value.violations[0].field == "hourly_price"


def test_sea_commercial_at_8_50_is_accepted_free_price(state):
    _, event = register_provider(
        provider_id="x",
        provider_type=ProviderType.SEA_COMMERCIAL,
        terms=state.providers["sea-b"].current,
        sea_cap=CAP,
    )
    assert event.hourly_price == Decimal("8.50")


def test_ap_without_agency_or_with_plurilingual_is_refused_naming_both_fields(state):
    bad = replace(state.providers["ap-1"].current, agency_id=None, plurilingual=True)
    with pytest.raises(AttendanceDomainError) as caught:
        register_provider(
            provider_id="ap-x",
            provider_type=ProviderType.ASSISTANT_PARENTAL,
            terms=bad,
            sea_cap=CAP,
        )
    assert {v.field for v in caught.value.violations} == {"plurilingual", "agency_id"}


def test_negative_meal_price_and_three_decimals_price_are_refused(state):
    bad = replace(
        state.providers["sea-b"].current, meal_price=Decimal("-1"), hourly_price=Decimal("8.505")
    )
    with pytest.raises(AttendanceDomainError) as caught:
        register_provider(
            provider_id="x", provider_type=ProviderType.SEA_COMMERCIAL, terms=bad, sea_cap=CAP
        )
    assert {v.field for v in caught.value.violations} == {"meal_price", "hourly_price"}


def test_dated_change_keeps_old_terms_before_its_date_5_50_then_6_00(state):
    provider = state.providers["sea-a"]
    cheaper = replace(
        provider.current, effective_from=date(2025, 3, 3), hourly_price=Decimal("5.50")
    )
    changed, event = change_provider(
        provider, terms=cheaper, sea_cap=CAP, closed_months={"2025-02"}
    )
    assert changed.terms_on(date(2025, 3, 2)).hourly_price == Decimal("6.00")
    assert changed.terms_on(date(2025, 3, 3)).hourly_price == Decimal("5.50")
    assert changed.terms_on(date(2024, 1, 1)) is None
    assert (event.version, event.affects_closed_period) == (2, False)


def test_backdated_change_into_closed_period_is_flagged(state):
    provider = state.providers["sea-a"]
    change = replace(provider.current, effective_from=date(2025, 2, 10), meal_price=Decimal("5"))
    _, event = change_provider(provider, terms=change, sea_cap=CAP, closed_months={"2025-02"})
    assert event.affects_closed_period is True


def test_change_not_after_latest_version_is_refused(state):
    provider = state.providers["sea-a"]
    with pytest.raises(AttendanceDomainError) as caught:
        change_provider(provider, terms=provider.current, sea_cap=CAP)
    assert caught.value.violations[0].field == "effective_from"


# Education contracts ------------------------------------------------------------------


def test_contract_start_emits_started_with_billing_mode(state):
    new = replace(state.contracts[0], contract_id="k9", child_id="c9")
    event = start_contract(
        new, provider_type=ProviderType.SEA_CONVENTIONNE, sea_cap=CAP, existing=state.contracts
    )
    assert (event.record_id, event.billing_mode, event.hours_per_week) == ("k9", "presence", 40)


def test_contract_overlapping_same_child_and_provider_is_refused_overlap(state):
    dup = replace(state.contracts[0], contract_id="k9", start=date(2025, 6, 1))
    with pytest.raises(AttendanceDomainError) as caught:
        start_contract(
            dup, provider_type=ProviderType.SEA_CONVENTIONNE, sea_cap=CAP, existing=state.contracts
        )
    assert codes(caught) == [Code.OVERLAP]


def test_contract_ending_before_start_and_zero_hours_refused(state):
    bad = replace(
        state.contracts[0],
        contract_id="k9",
        child_id="c9",
        end=date(2024, 12, 31),
        hours_per_week=Decimal(0),
    )
    with pytest.raises(AttendanceDomainError) as caught:
        start_contract(bad, provider_type=ProviderType.SEA_COMMERCIAL, sea_cap=CAP)
    assert set(codes(caught)) == {Code.END_NOT_AFTER_START, Code.INVALID_VALUE}


def test_conventionne_contract_at_6_50_is_refused_price_above_cap(state):
    bad = replace(state.contracts[0], contract_id="k9", child_id="c9", hourly_price=Decimal("6.50"))
    with pytest.raises(AttendanceDomainError) as caught:
        start_contract(bad, provider_type=ProviderType.SEA_CONVENTIONNE, sea_cap=CAP)
    assert codes(caught) == [Code.PRICE_ABOVE_CAP]


def test_end_contract_in_closed_period_flags_and_bumps_version(state):
    ended, event = end_contract(
        state.contracts[1], end=date(2025, 2, 14), closed_months={"2025-02"}
    )
    assert ended.end == date(2025, 2, 14) and ended.billing_mode is BillingMode.GREATER_OF
    assert (event.version, event.affects_closed_period) == (2, True)
    assert not ended.covers(date(2025, 2, 15))


# AP service sheets --------------------------------------------------------------------


def sheet_day(day: str, hours: str, lunches: int = 0, night: str = "0") -> ServiceSheetDay:
    return ServiceSheetDay(
        day=date.fromisoformat(day),
        hours=Decimal(hours),
        lunches=lunches,
        out_of_band_hours=Decimal(night),
    )


def test_service_sheet_by_agency_totals_15_5_h_and_1_lunch(state):
    _, event = submit_service_sheet(
        provider=state.providers["ap-1"],
        child_id="c4",
        month="2025-03",
        days=[sheet_day("2025-03-04", "7.5", 1), sheet_day("2025-03-03", "8")],
        submitted_by="dageselteren",
        contracts=state.contracts,
        now=NOW,
    )
    assert (event.total_hours, event.total_lunches, event.version) == (Decimal("15.5"), 1, 1)
    assert [d.day for d in event.days] == [date(2025, 3, 3), date(2025, 3, 4)]
    assert event.record_id == "ap-1:c4:2025-03"


def agency_sheet(state, days: list[ServiceSheetDay]):  # type: ignore[no-untyped-def]
    """The agency's sheet of March 2025 for c4 at ap-1."""
    return submit_service_sheet(
        provider=state.providers["ap-1"],
        child_id="c4",
        month="2025-03",
        days=days,
        submitted_by="dageselteren",
        contracts=state.contracts,
        now=NOW,
    )


def test_service_sheet_with_out_of_band_hours_totals_14_5_h_of_which_6_5_out_of_band(state):
    history, event = agency_sheet(
        state, [sheet_day("2025-03-04", "8", 1, night="4"), sheet_day("2025-03-05", "0", 0, "2.5")]
    )
    assert (event.total_hours, history[-1].total_out_of_band_hours) == (
        Decimal("14.5"),
        Decimal("6.5"),
    )
    assert [d.out_of_band_hours for d in event.days] == [Decimal(4), Decimal("2.5")]


def test_service_sheet_day_holds_at_most_12_hours_in_and_12_out_of_the_band(state):
    with pytest.raises(AttendanceDomainError) as caught:
        agency_sheet(
            state,
            [
                sheet_day("2025-03-03", "12", night="12"),  # a whole day: fine
                sheet_day("2025-03-04", "12.01"),
                sheet_day("2025-03-05", "1", night="12.5"),
                sheet_day("2025-03-06", "1", night="-1"),
                sheet_day("2025-03-07", "1", night="0.333"),
                sheet_day("2025-03-10", "0", 1, night="3"),  # a lunch with night care only
            ],
        )
    found = {(v.code, v.field) for v in caught.value.violations}
    assert found == {
        (Code.HOURS_OUT_OF_RANGE, "days[1].hours"),
        (Code.HOURS_OUT_OF_RANGE, "days[2].out_of_band_hours"),
        (Code.HOURS_OUT_OF_RANGE, "days[3].out_of_band_hours"),
        (Code.INVALID_VALUE, "days[4].out_of_band_hours"),
    }


def test_second_service_sheet_replaces_first_as_version_2_history_kept(state):
    args = {
        "provider": state.providers["ap-1"],
        "child_id": "c4",
        "month": "2025-03",
        "submitted_by": "dageselteren",
        "contracts": state.contracts,
        "now": NOW,
    }
    first, _ = submit_service_sheet(days=[sheet_day("2025-03-03", "8")], **args)
    history, event = submit_service_sheet(
        days=[sheet_day("2025-03-03", "6")], history=first, closed_months={"2025-03"}, **args
    )
    assert [s.version for s in history] == [1, 2]
    assert history[0].total_hours == Decimal("8")
    assert (event.version, event.total_hours, event.affects_closed_period) == (2, Decimal(6), True)


def test_service_sheet_bad_days_each_named(state):
    with pytest.raises(AttendanceDomainError) as caught:
        submit_service_sheet(
            provider=state.providers["ap-1"],
            child_id="c4",
            month="2025-03",
            days=[
                sheet_day("2025-03-02", "2"),  # belongs to the 2025-02 period
                sheet_day("2025-03-05", "24.5"),
                sheet_day("2025-03-05", "1"),
                sheet_day("2025-03-06", "0", 1),
                sheet_day("2025-03-21", "3"),
            ],
            submitted_by="dageselteren",
            contracts=state.contracts,
            now=NOW,
        )
    found = {(v.code, v.field) for v in caught.value.violations}
    assert found == {
        (Code.DAY_OUTSIDE_PERIOD, "days[0].day"),
        (Code.HOURS_OUT_OF_RANGE, "days[1].hours"),
        (Code.DUPLICATE_DAY, "days[2].day"),
        (Code.NO_PRESENCE_THAT_DAY, "days[3].lunches"),
        (Code.IN_FUTURE, "days[4].day"),
    }


def test_service_sheet_not_from_agency_is_refused_not_authorised(state):
    with pytest.raises(AttendanceDomainError) as caught:
        submit_service_sheet(
            provider=state.providers["ap-1"],
            child_id="c4",
            month="2025-03",
            days=[],
            submitted_by="ap-1",
            contracts=state.contracts,
            now=NOW,
        )
    assert codes(caught) == [Code.NOT_AUTHORISED]


def test_service_sheet_for_sea_or_foreign_child_is_refused(state):
    common = {"month": "2025-03", "days": [sheet_day("2025-03-03", "8")], "now": NOW}
    with pytest.raises(AttendanceDomainError) as sea:
        submit_service_sheet(
            provider=state.providers["sea-a"],
            child_id="c1",
            submitted_by="dageselteren",
            contracts=state.contracts,
            **common,
        )
    with pytest.raises(AttendanceDomainError) as foreign:
        submit_service_sheet(
            provider=state.providers["ap-1"],
            child_id="c1",
            submitted_by="dageselteren",
            contracts=state.contracts,
            **common,
        )
    assert codes(sea) == [Code.WRONG_PROVIDER_TYPE]
    assert codes(foreign) == [Code.UNKNOWN_CHILD]


def test_service_sheet_bad_month_is_refused_invalid_value(state):
    with pytest.raises(AttendanceDomainError) as caught:
        submit_service_sheet(
            provider=state.providers["ap-1"],
            child_id="c4",
            month="2025-13",
            days=[],
            submitted_by="dageselteren",
            contracts=state.contracts,
            now=NOW,
        )
    assert caught.value.violations[0].field == "month"


# Other charges ------------------------------------------------------------------------


def charge(**overrides) -> OtherCharge:
    values = {
        "provider_id": "sea-b",
        "record_id": "f1",
        "child_id": "c2",
        "day": date(2025, 3, 3),
        "kind": ChargeKind.REGISTRATION_FEE,
        "amount": Decimal("50.00"),
    }
    values.update(overrides)
    return OtherCharge(**values)


def test_registration_fee_50_00_is_recorded_never_state_supported(state):
    event = record_other_charge(charge(), contracts=state.contracts, now=NOW)
    assert (event.amount, event.kind, event.state_supported) == (
        Decimal("50.00"),
        "registration_fee",
        False,
    )


def test_charge_zero_amount_foreign_child_and_other_without_description_refused(state):
    with pytest.raises(AttendanceDomainError) as caught:
        record_other_charge(
            charge(amount=Decimal("0"), child_id="c4", kind=ChargeKind.OTHER),
            contracts=state.contracts,
            now=NOW,
        )
    assert {v.field for v in caught.value.violations} == {"amount", "child_id", "description"}


def test_charge_repeat_identical_duplicate_different_conflict():
    assert charge_ingest_decision(None, charge()) is Ingest.NEW
    assert charge_ingest_decision(charge(), charge()) is Ingest.DUPLICATE
    assert charge_ingest_decision(charge(), charge(amount=Decimal("60.00"))) is Ingest.CONFLICT


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"amount": Decimal("1E+26")}, "amount"),
        ({"amount": Decimal("1000000.00")}, "amount"),
        ({"day": date(1, 1, 1)}, "day"),
    ],
)
def test_an_absurd_charge_amount_or_day_is_refused_naming_the_field(state, overrides, field):
    with pytest.raises(AttendanceDomainError) as caught:
        record_other_charge(charge(**overrides), contracts=state.contracts, now=NOW)
    assert [v.field for v in caught.value.violations] == [field]
