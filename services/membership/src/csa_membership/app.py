"""Composition root of the membership service."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, FastAPI

from csa_membership import tables
from csa_shared.composition import ServiceDefinition


def _routers() -> list[APIRouter]:
    from csa_membership.contracts.endpoints import router as contracts
    from csa_membership.privacy.endpoints import router as privacy
    from csa_membership.weeks.endpoints import router as weeks

    return [contracts, privacy, weeks]


definition = ServiceDefinition(
    name="membership",
    title="CSA membership service",
    description="Membership contracts: eligibility, income category, renewal and expiry.",
    version="3.0.0",
    metadata=tables.metadata,
    migrations=Path(__file__).parent / "migrations",
    routers=_routers,
)


def create_app() -> FastAPI:
    """ASGI factory: ``uvicorn --factory csa_membership.app:create_app``."""
    return definition.create_app()
