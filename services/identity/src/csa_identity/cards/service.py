"""Issuing myCards (first card and duplicates) and spooling their letters."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from csa_identity.adapters.audit import audit
from csa_identity.adapters.letters import letter_language, spool_letter
from csa_identity.cards import repository
from csa_identity.cards.repository import CardHolder
from csa_identity.context import IdentityContext
from csa_identity.domain.messages import message
from csa_identity.domain.mycard import (
    IssuedCard,
    iam_code_prefix,
    issue_card,
    issue_duplicate,
    new_iam_code,
)
from csa_identity.events import card_issued
from csa_shared.errors import NotFound
from csa_shared.messaging.outbox import add_to_outbox
from csa_shared.runtime import ServiceRuntime


async def issue_first_card(
    session: AsyncSession,
    runtime: ServiceRuntime,
    context: IdentityContext,
    *,
    child_id: str,
    holder: CardHolder,
) -> IssuedCard | None:
    """The child's first card; None when it already has one (idempotent per child)."""
    if await repository.card_by_child(session, child_id) is not None:
        return None
    now = context.now()
    taken = await repository.codes_with_prefix(
        session, iam_code_prefix(holder.surname, holder.first_name)
    )
    code = new_iam_code(holder.surname, holder.first_name, is_taken=taken.__contains__)
    issued = issue_card(
        child_id=child_id,
        iam_code=code,
        birth_date=holder.birth_date,
        now=now,
        hasher=context.code_hasher,
    )
    await repository.insert_card(session, issued.card, holder)
    await _send_card(session, runtime, context, issued, holder, now=now)
    return issued


async def issue_duplicate_card(
    session: AsyncSession, runtime: ServiceRuntime, context: IdentityContext, *, child_id: str
) -> IssuedCard:
    """Lost card: same IAM code, new linking code (the old one stops working)."""
    card = await repository.card_by_child(session, child_id)
    holder = await repository.holder_of(session, child_id)
    if card is None or holder is None:
        raise NotFound(f"no myCard for child {child_id}")
    now = context.now()
    issued = issue_duplicate(card, now=now, hasher=context.code_hasher)
    await repository.save_card(session, issued.card)
    await _send_card(session, runtime, context, issued, holder, now=now)
    return issued


async def _send_card(
    session: AsyncSession,
    runtime: ServiceRuntime,
    context: IdentityContext,
    issued: IssuedCard,
    holder: CardHolder,
    *,
    now: datetime,
) -> None:
    card = issued.card
    language = letter_language(holder.language)
    body = message(
        "letter.mycard", language, iam_code=card.iam_code, linking_code=issued.linking_code
    )
    recipient: dict[str, Any] = {
        "name": holder.address.get("recipient") or f"{holder.first_name} {holder.surname}",
        "child": f"{holder.first_name} {holder.surname}",
        "address": holder.address,
    }
    validity = message("letter.mycard.valid_until", language, valid_until=card.valid_until)
    await spool_letter(
        session,
        kind="mycard",
        language=language,
        recipient=recipient,
        body=f"{body}\n{validity}",
        now=now,
        child_id=card.child_id,
    )
    event = card_issued(card, now, source=runtime.source)
    await add_to_outbox(session, runtime.outbox, event)
    await audit(session, "card.issued", now=now, subject=card.child_id, dup=card.duplicate_number)


def holder_from_event(data: dict[str, Any]) -> CardHolder:
    """Read membership's child.registered data defensively (names may come split or whole)."""
    surname = str(data.get("surname") or data.get("last_name") or "")
    first_name = str(data.get("first_name") or data.get("given_name") or "")
    if not (surname and first_name) and data.get("child_name"):
        parts = str(data["child_name"]).split()
        first_name = first_name or (parts[0] if parts else "")
        surname = surname or (" ".join(parts[1:]) if len(parts) > 1 else "")
    representative = data.get("representative")
    if isinstance(representative, dict) and isinstance(representative.get("address"), dict):
        # the letter goes to the legal representative (membership sends it since 2026-12)
        address = representative["address"]
        recipient_name: Any = f"{representative['first_name']} {representative['surname']}"
    else:
        address = (
            data.get("home_address") or data.get("address") or data.get("billing_address") or {}
        )
        recipient_name = data.get("parent_name") or data.get("applicant_name")
    if isinstance(address, dict) and recipient_name:
        address = {**address, "recipient": recipient_name}
    return CardHolder(
        surname=surname,
        first_name=first_name,
        birth_date=date.fromisoformat(str(data["birth_date"])[:10]),
        language=str(data.get("language") or data.get("contract_language") or "fr")[:2].lower(),
        address=address if isinstance(address, dict) else {"line1": str(address)},
    )
