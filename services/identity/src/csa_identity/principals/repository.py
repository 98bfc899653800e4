"""Queries on provider clients and agents."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from csa_identity.adapters.instants import aware
from csa_identity.adapters.row_locks import insert_once, lock_row
from csa_identity.domain.lockout import FailureCounter
from csa_identity.domain.principals import Agent, AgentKind, ProviderClient
from csa_identity.tables import agents, provider_clients


async def load_client(session: AsyncSession, client_id: str) -> ProviderClient | None:
    row = (
        await session.execute(
            select(provider_clients).where(provider_clients.c.client_id == client_id)
        )
    ).first()
    if row is None:
        return None
    return ProviderClient(row.client_id, row.provider_id, row.secret_hash, row.active)


async def insert_client(session: AsyncSession, client: ProviderClient, *, now: Any) -> bool:
    """False when the client id is taken."""
    return await insert_once(
        session,
        provider_clients,
        {
            "client_id": client.client_id,
            "provider_id": client.provider_id,
            "secret_hash": client.secret_hash,
            "active": client.active,
            "created_at": now,
        },
    )


def _agent(row: Any) -> Agent:
    return Agent(
        agent_id=row.agent_id,
        kind=AgentKind(row.kind),
        password_hash=row.password_hash,
        totp_secret=row.totp_secret,
        commune=row.commune,
        office=row.office,
        failures=FailureCounter(row.failures, row.lockouts, aware(row.locked_until)),
        last_totp_step=row.last_totp_step,
    )


async def load_agent(session: AsyncSession, agent_id: str) -> Agent | None:
    row = (await session.execute(select(agents).where(agents.c.agent_id == agent_id))).first()
    return _agent(row) if row else None


async def lock_agent(session: AsyncSession, agent_id: str) -> Agent | None:
    """The agent, locked until the transaction ends (``adapters.row_locks``): its failure
    counter and last used TOTP step are decided by one login at a time."""
    if not await lock_row(session, agents.c.agent_id, agent_id):
        return None
    return await load_agent(session, agent_id)


async def insert_agent(session: AsyncSession, agent: Agent, *, now: Any) -> bool:
    """False when the agent id is taken."""
    return await insert_once(
        session,
        agents,
        {
            "agent_id": agent.agent_id,
            "kind": agent.kind.value,
            "password_hash": agent.password_hash,
            "totp_secret": agent.totp_secret,
            "commune": agent.commune,
            "office": agent.office,
            "failures": agent.failures.failures,
            "lockouts": agent.failures.lockouts,
            "locked_until": agent.failures.locked_until,
            "last_totp_step": agent.last_totp_step,
            "created_at": now,
        },
    )


async def save_agent_state(session: AsyncSession, agent: Agent) -> None:
    await session.execute(
        update(agents)
        .where(agents.c.agent_id == agent.agent_id)
        .values(
            password_hash=agent.password_hash,
            failures=agent.failures.failures,
            lockouts=agent.failures.lockouts,
            locked_until=agent.failures.locked_until,
            last_totp_step=agent.last_totp_step,
        )
    )
