"""Queries on myCards."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from csa_identity.adapters.instants import aware
from csa_identity.adapters.row_locks import lock_row
from csa_identity.domain.mycard import MyCard
from csa_identity.tables import cards


@dataclass(frozen=True, slots=True)
class CardHolder:
    """What the letter needs besides the card: names, language and home address."""

    surname: str
    first_name: str
    birth_date: date
    language: str
    address: dict[str, Any]


def _card(row: Any) -> MyCard:
    return MyCard(
        child_id=row.child_id,
        iam_code=row.iam_code,
        linking_code_hash=row.linking_code_hash,
        linking_code_issued_at=aware(row.linking_code_issued_at),
        valid_until=row.valid_until,
        linking_code_spent_at=aware(row.linking_code_spent_at),
        duplicate_number=row.duplicate_number,
    )


async def card_by_child(session: AsyncSession, child_id: str) -> MyCard | None:
    row = (await session.execute(select(cards).where(cards.c.child_id == child_id))).first()
    return _card(row) if row else None


async def lock_card(session: AsyncSession, child_id: str) -> MyCard | None:
    """The card, locked until the transaction ends (``adapters.row_locks``): a registration
    confirmed twice at once creates one account, the other confirmation finds no flow."""
    if not await lock_row(session, cards.c.child_id, child_id):
        return None
    return await card_by_child(session, child_id)


async def card_by_iam_code(session: AsyncSession, iam_code: str) -> MyCard | None:
    row = (await session.execute(select(cards).where(cards.c.iam_code == iam_code))).first()
    return _card(row) if row else None


async def holder_of(session: AsyncSession, child_id: str) -> CardHolder | None:
    row = (await session.execute(select(cards).where(cards.c.child_id == child_id))).first()
    if row is None:
        return None
    return CardHolder(row.surname, row.first_name, row.birth_date, row.language, row.address)


async def codes_with_prefix(session: AsyncSession, prefix: str) -> set[str]:
    """IAM codes already given for a name prefix (the unique index still guards races)."""
    found = await session.scalars(
        select(cards.c.iam_code).where(cards.c.iam_code.like(f"{prefix}%"))
    )
    return set(found)


async def insert_card(session: AsyncSession, card: MyCard, holder: CardHolder) -> None:
    await session.execute(
        cards.insert().values(
            child_id=card.child_id,
            iam_code=card.iam_code,
            linking_code_hash=card.linking_code_hash,
            linking_code_issued_at=card.linking_code_issued_at,
            linking_code_spent_at=card.linking_code_spent_at,
            valid_until=card.valid_until,
            duplicate_number=card.duplicate_number,
            surname=holder.surname,
            first_name=holder.first_name,
            birth_date=holder.birth_date,
            language=holder.language,
            address=holder.address,
        )
    )


async def save_card(session: AsyncSession, card: MyCard) -> None:
    await session.execute(
        update(cards)
        .where(cards.c.child_id == card.child_id)
        .values(
            linking_code_hash=card.linking_code_hash,
            linking_code_issued_at=card.linking_code_issued_at,
            linking_code_spent_at=card.linking_code_spent_at,
            duplicate_number=card.duplicate_number,
        )
    )
