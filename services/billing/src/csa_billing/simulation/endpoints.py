"""``POST /v1/simulations``: the rules engine over HTTP, same bodies as ``csa simulate``."""

from __future__ import annotations

from fastapi import APIRouter

from csa_billing.simulation.schemas import SimulationRequest, SimulationResponse
from csa_billing.simulation.service import run_simulation
from csa_shared.http.problems import PROBLEM_RESPONSES

router = APIRouter(prefix="/simulations", tags=["simulations"])


@router.post(
    "",
    response_model=SimulationResponse,
    responses={422: PROBLEM_RESPONSES[422]},
    summary="Compute one week of care for one child (csa-rules.md §4–§6)",
)
async def simulate(body: SimulationRequest) -> SimulationResponse:
    return run_simulation(body)
