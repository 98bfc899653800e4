"""Every query of the weeks module.

A place is claimed by one conditional statement (``claim_place``): ``UPDATE weeks SET taken =
taken + 1 WHERE week_id = :id AND taken < capacity``. On PostgreSQL the row lock it takes makes
a concurrent claim wait and re-check ``taken < capacity`` on the committed row, so no more
sign-ups than places can ever be stored (the table's check constraint says so as well); SQLite
serializes writers. The lock is held until the request's transaction ends, so whatever the
sign-up does next for that week runs one request at a time.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import CursorResult, select
from sqlalchemy.ext.asyncio import AsyncSession

from csa_membership.domain.contract import ContractStatus
from csa_membership.domain.weeks import WeekOffer
from csa_membership.tables import children, contracts, week_sign_ups, weeks

OFFER_FIELDS = tuple(f.name for f in fields(WeekOffer))
SIGNED_UP = "signed_up"
CANCELLED = "cancelled"


@dataclass(frozen=True)
class StoredWeek:
    week_id: str
    offer: WeekOffer
    taken: int

    @property
    def places_left(self) -> int:
        return self.offer.capacity - self.taken


@dataclass(frozen=True)
class SignUp:
    week: StoredWeek
    child_id: str
    status: str
    signed_up_at: datetime
    cancelled_at: datetime | None


def _now() -> datetime:
    return datetime.now(UTC)


def _week(row: Any) -> StoredWeek:
    offer = WeekOffer(**{name: getattr(row, name) for name in OFFER_FIELDS})
    return StoredWeek(row.week_id, replace(offer, languages=tuple(offer.languages)), row.taken)


def _rows(result: Any) -> int:
    assert isinstance(result, CursorResult)
    return int(result.rowcount)


async def insert_week(
    session: AsyncSession, week_id: str, offer: WeekOffer, *, entered_by: str
) -> StoredWeek:
    values = asdict(offer) | {"languages": list(offer.languages)}
    await session.execute(
        weeks.insert().values(
            week_id=week_id, taken=0, entered_by=entered_by, created_at=_now(), **values
        )
    )
    return StoredWeek(week_id, offer, 0)


async def get_week(
    session: AsyncSession, week_id: str, *, for_update: bool = False
) -> StoredWeek | None:
    query = select(weeks).where(weeks.c.week_id == week_id)
    if for_update:
        query = query.with_for_update()
    row = (await session.execute(query)).first()
    return None if row is None else _week(row)


async def list_weeks(
    session: AsyncSession, *, starting_from: date, provider_id: str | None, limit: int
) -> list[StoredWeek]:
    query = (
        select(weeks)
        .where(weeks.c.starts_on >= starting_from)
        .order_by(weeks.c.starts_on, weeks.c.title, weeks.c.week_id)
    )
    if provider_id is not None:
        query = query.where(weeks.c.provider_id == provider_id)
    return [_week(row) for row in (await session.execute(query.limit(limit))).all()]


async def claim_place(session: AsyncSession, week_id: str) -> bool:
    """Take one place in one statement, if one is left; True when taken."""
    claimed = await session.execute(
        weeks.update()
        .where(weeks.c.week_id == week_id, weeks.c.taken < weeks.c.capacity)
        .values(taken=weeks.c.taken + 1)
    )
    return _rows(claimed) == 1


async def release_place(session: AsyncSession, week_id: str) -> None:
    await session.execute(
        weeks.update()
        .where(weeks.c.week_id == week_id, weeks.c.taken > 0)
        .values(taken=weeks.c.taken - 1)
    )


async def status_of(session: AsyncSession, week_id: str, child_id: str) -> str | None:
    query = select(week_sign_ups.c.status).where(
        week_sign_ups.c.week_id == week_id, week_sign_ups.c.child_id == child_id
    )
    row = (await session.execute(query)).first()
    return None if row is None else str(row.status)


async def record_sign_up(
    session: AsyncSession, week_id: str, child_id: str, *, by: str, again: bool
) -> None:
    """Store the sign-up: a new row, or (``again``) the cancelled row signed up anew."""
    values = {"status": SIGNED_UP, "signed_up_by": by, "signed_up_at": _now(), "cancelled_at": None}
    if again:
        await session.execute(
            week_sign_ups.update()
            .where(week_sign_ups.c.week_id == week_id, week_sign_ups.c.child_id == child_id)
            .values(**values)
        )
        return
    await session.execute(
        week_sign_ups.insert().values(week_id=week_id, child_id=child_id, **values)
    )


async def cancel(session: AsyncSession, week_id: str, child_id: str) -> bool:
    """Cancel a standing sign-up in one statement; True when one was cancelled."""
    cancelled = await session.execute(
        week_sign_ups.update()
        .where(
            week_sign_ups.c.week_id == week_id,
            week_sign_ups.c.child_id == child_id,
            week_sign_ups.c.status == SIGNED_UP,
        )
        .values(status=CANCELLED, cancelled_at=_now())
    )
    return _rows(cancelled) == 1


async def sign_ups(
    session: AsyncSession, *, child_id: str | None = None, week_id: str | None = None
) -> list[SignUp]:
    """Sign-ups (standing and cancelled) of a child or of a week, earliest week first."""
    query = (
        select(weeks, week_sign_ups.c.child_id, week_sign_ups.c.status)
        .add_columns(week_sign_ups.c.signed_up_at, week_sign_ups.c.cancelled_at)
        .join(week_sign_ups, week_sign_ups.c.week_id == weeks.c.week_id)
        .order_by(weeks.c.starts_on, weeks.c.week_id, week_sign_ups.c.child_id)
    )
    if child_id is not None:
        query = query.where(week_sign_ups.c.child_id == child_id)
    if week_id is not None:
        query = query.where(week_sign_ups.c.week_id == week_id)
    return [
        SignUp(_week(row), row.child_id, row.status, row.signed_up_at, row.cancelled_at)
        for row in (await session.execute(query)).all()
    ]


async def birth_date_of(session: AsyncSession, child_id: str) -> date | None:
    query = select(children.c.birth_date).where(children.c.child_id == child_id)
    row = (await session.execute(query)).first()
    return None if row is None else row.birth_date


async def has_contract_in_force(session: AsyncSession, child_id: str) -> bool:
    """A signed contract the expiry job has not ended (status ``active``)."""
    query = select(contracts.c.contract_id).where(
        contracts.c.child_id == child_id, contracts.c.status == ContractStatus.ACTIVE.value
    )
    return (await session.execute(query.limit(1))).first() is not None


async def sign_up_rows(session: AsyncSession, child_id: str) -> list[dict[str, Any]]:
    """The child's sign-up rows as stored (the GDPR export)."""
    query = (
        select(week_sign_ups)
        .where(week_sign_ups.c.child_id == child_id)
        .order_by(week_sign_ups.c.week_id)
    )
    return [dict(row._mapping) for row in (await session.execute(query)).all()]


async def withdraw(session: AsyncSession, child_id: str) -> None:
    """Cancel every standing sign-up of the child (its erasure), freeing the places; each
    week is locked first, as a cancellation locks it."""
    for found in await sign_ups(session, child_id=child_id):
        if found.status == SIGNED_UP:
            await get_week(session, found.week.week_id, for_update=True)
            if await cancel(session, found.week.week_id, child_id):
                await release_place(session, found.week.week_id)
