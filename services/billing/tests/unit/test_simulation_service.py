"""The simulation use case and its schemas (interfaces.md §2)."""

from __future__ import annotations

import copy

import pytest
from pydantic import ValidationError

from csa_billing.simulation.schemas import EXAMPLE_REQUEST, SimulationRequest, SimulationResponse
from csa_billing.simulation.service import describe_validation_error, run_simulation
from csa_shared.rules.errors import RuleInputError


def test_example_request_validates_and_gives_plurilingual_9h_state_54_00_on_care() -> None:
    response = run_simulation(SimulationRequest.model_validate(EXAMPLE_REQUEST))
    assert response.hours.plurilingual_free == "9.00"
    assert response.lines[0].state_amount == "54.00"
    assert response.lines[0].rule_section == "csa-rules.md §5.2"
    assert response.parameters_from.isoformat() == "2025-01-06"


def test_parameters_date_2024_12_30_selects_first_set_ap_cap_3_75() -> None:
    body = copy.deepcopy(EXAMPLE_REQUEST)
    body.update(
        parameters_date="2024-12-30", meals=[],
        providers=[{"id": "p1", "type": "assistant_parental", "hourly_price": "5.00"}],
        presences=[{"provider": "p1", "start": "2025-03-03T09:00:00",
                    "end": "2025-03-03T11:00:00", "id": "rec-1"}],
    )  # fmt: skip
    response = run_simulation(SimulationRequest.model_validate(body))
    assert (response.parent_total, response.state_total) == ("2.50", "7.50")
    assert response.lines[0].record_ids == ["rec-1"]


def test_school_holiday_true_makes_a_holiday_week() -> None:
    body = copy.deepcopy(EXAMPLE_REQUEST)
    body["school_holiday"] = True
    assert run_simulation(SimulationRequest.model_validate(body)).holiday_week


def test_amounts_with_three_decimals_are_refused_naming_the_field() -> None:
    body = copy.deepcopy(EXAMPLE_REQUEST)
    body["providers"] = [{"id": "p1", "type": "sea_conventionne", "hourly_price": "6.001"}]
    with pytest.raises(ValidationError) as err:
        SimulationRequest.model_validate(body)
    assert describe_validation_error(err.value)[0][0] == "providers[0].hourly_price"


def test_public_holiday_outside_week_is_a_rule_input_error() -> None:
    body = copy.deepcopy(EXAMPLE_REQUEST)
    body["public_holidays"] = ["2025-03-10"]
    with pytest.raises(RuleInputError) as err:
        run_simulation(SimulationRequest.model_validate(body))
    assert err.value.field == "public_holidays[0]"


def test_schemas_carry_examples_for_the_http_docs() -> None:
    assert SimulationRequest.model_json_schema()["examples"][0]["week_start"] == "2025-03-03"
    example = SimulationResponse.model_json_schema()["examples"][0]
    SimulationResponse.model_validate(example)
