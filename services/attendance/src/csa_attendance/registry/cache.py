"""The registry as one process last read it: providers, a provider's contracts per child and
the closed months, kept in memory so a single declaration does not read them every time.

Every entry is tagged with the registry's version (`registry_version`, raised by triggers on
PostgreSQL at each write to providers, contracts or closed periods, whichever process or
replica made it). A reader compares it with the database's in the statement it runs anyway
(`registry_state`: the version and the closed months, one round trip) or, on the one-statement
write of a presence, inside that statement (`attendance_presence_clear`): an entry of another
version is never used, so a stale cache cannot accept a record nor miss a closed month.
The events that change the registry (this process's writes, billing's `period.closed`)
drop the entries at once (`invalidate`); the size is bounded (least recently used first out).
On SQLite (no triggers, one process) nothing is cached.
"""

from __future__ import annotations

import weakref
from collections import OrderedDict
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from csa_attendance.domain.contracts import EducationContract
from csa_attendance.domain.providers import Provider
from csa_attendance.registry import repository
from csa_attendance.tables import closed_periods, registry_version

#: entries (providers plus (provider, child) contract lists) one process keeps at most
MAX_ENTRIES = 50_000


@dataclass(frozen=True, slots=True)
class Registry:
    """What a declaration of `provider_id` for some children is decided against."""

    providers: dict[str, Provider]
    contracts: list[EducationContract]
    closed: frozenset[str]
    version: int | None


class RegistryCache:
    """Entries of one registry version, least recently used first out above `max_entries`."""

    def __init__(self, max_entries: int = MAX_ENTRIES) -> None:
        self.max_entries = max_entries
        self.version: int | None = None
        self.closed: frozenset[str] = frozenset()
        self._providers: OrderedDict[str, Provider | None] = OrderedDict()
        self._contracts: OrderedDict[tuple[str, str], tuple[EducationContract, ...]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._providers) + len(self._contracts)

    def invalidate(self) -> None:
        """Forget everything (an event said the registry changed)."""
        self.version = None
        self.closed = frozenset()
        self._providers.clear()
        self._contracts.clear()

    def get(self, provider_id: str, children: Collection[str]) -> Registry | None:
        """The cached registry of `provider_id` and `children`, or None when any is missing;
        its `version` is the one the caller must find in the database."""
        if self.version is None or provider_id not in self._providers:
            return None
        keys = [(provider_id, child) for child in children]
        if any(key not in self._contracts for key in keys):
            return None
        provider = self._providers[provider_id]
        self._providers.move_to_end(provider_id)
        contracts: list[EducationContract] = []
        for key in keys:
            self._contracts.move_to_end(key)
            contracts.extend(self._contracts[key])
        known = {provider_id: provider} if provider is not None else {}
        return Registry(known, contracts, self.closed, self.version)

    def put(self, found: Registry, provider_id: str, children: Iterable[str]) -> None:
        """Remember what was read at `found.version` (entries of another version go)."""
        if found.version is None or (self.version is not None and found.version < self.version):
            return
        if found.version != self.version:
            self.invalidate()
            self.version, self.closed = found.version, found.closed
        self._providers[provider_id] = found.providers.get(provider_id)
        by_child: dict[str, list[EducationContract]] = {child: [] for child in children}
        for contract in found.contracts:
            by_child.setdefault(contract.child_id, []).append(contract)
        for child, contracts in by_child.items():
            self._contracts[(provider_id, child)] = tuple(contracts)
        while len(self._providers) > self.max_entries // 10:
            self._providers.popitem(last=False)
        while len(self._contracts) > self.max_entries:
            self._contracts.popitem(last=False)


_CACHES: weakref.WeakKeyDictionary[Any, RegistryCache] = weakref.WeakKeyDictionary()


def _engine_of(session: AsyncSession | AsyncEngine) -> AsyncEngine | None:
    bind = session if isinstance(session, AsyncEngine) else session.bind
    return bind  # type: ignore[return-value]


def cache_of(session: AsyncSession | AsyncEngine) -> RegistryCache:
    """The cache of the database `session` is bound to (one per engine), or of `engine`."""
    engine = _engine_of(session).sync_engine  # type: ignore[union-attr]
    found = _CACHES.get(engine)
    if found is None:
        found = _CACHES[engine] = RegistryCache()
    return found


def caches(session: AsyncSession | AsyncEngine) -> bool:
    engine = _engine_of(session)
    return engine is not None and engine.dialect.name == "postgresql"


async def registry_state(session: AsyncSession) -> tuple[int, frozenset[str]]:
    """The registry's version and the closed months, in one round trip."""
    months = select(func.array_agg(closed_periods.c.month)).scalar_subquery()
    row = (await session.execute(select(registry_version.c.version, months))).one()
    return row[0], frozenset(row[1] or ())


def cached(
    engine: AsyncSession | AsyncEngine,
    provider_id: str,
    children: Collection[str],
    state: tuple[int, frozenset[str]],
) -> Registry | None:
    """The cached registry of `provider_id` and `children` when it is at `state` (the
    database's version and closed months), else None (PostgreSQL only: `caches`)."""
    hit = cache_of(engine).get(provider_id, children)
    if hit is not None and hit.version == state[0] and hit.closed == state[1]:
        return hit
    return None


async def registry_of(
    session: AsyncSession,
    provider_id: str,
    children: Collection[str],
    state: tuple[int, frozenset[str]] | None = None,
) -> Registry:
    """Provider, contracts of `children` at it and closed months: from the cache when it
    holds them at the database's version (one query, or none when the caller read the
    `state` already: `registry_state`'s version and closed months), else read (and cached)."""
    if not caches(session):
        return Registry(
            await repository.load_providers(session, [provider_id]),
            await repository.contracts_of(session, provider_id=provider_id, child_ids=children),
            frozenset(await repository.closed_months(session)),
            None,
        )
    cache = cache_of(session)
    version, closed = state or await registry_state(session)
    hit = cached(session, provider_id, children, (version, closed))
    if hit is not None:
        return hit
    found = Registry(
        await repository.load_providers(session, [provider_id]),
        await repository.contracts_of(session, provider_id=provider_id, child_ids=children),
        closed,
        version,
    )
    cache.put(found, provider_id, children)
    return found
