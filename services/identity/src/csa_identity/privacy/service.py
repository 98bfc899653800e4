"""Export of what identity holds about a child's family, and the erasure on ``child.erased``.

Erasure (membership's ``child.erased``, through the inbox): the child is detached from every
account (``child.detached`` for each), those accounts' sessions are revoked, and an account
left without a child is suspended with its e-mail, mobile, password hash, certificates,
activation codes, pending flows, letters and SMS removed. The myCard is revoked (linking code
spent and its hash dropped, validity ended the day before) and its holder's names and address
scrubbed; its IAM code, made of the name's letters, becomes a marker. Audit entries stay
(they hold ids, no names). A redelivered event finds nothing left to do.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import timedelta
from decimal import Decimal
from typing import Any

from fastapi.encoders import jsonable_encoder
from sqlalchemy.ext.asyncio import AsyncSession

from csa_identity.adapters.audit import audit
from csa_identity.context import identity_of
from csa_identity.domain.accounts import AccountStatus
from csa_identity.events import CHILD_DETACHED, child_event
from csa_identity.notices import repository as notices_repository
from csa_identity.privacy import repository
from csa_identity.privacy.schemas import IdentityExport
from csa_shared.auth import Principal
from csa_shared.auth.principal import require_data_subject_access
from csa_shared.clock import as_luxembourg
from csa_shared.errors import NotFound
from csa_shared.events import Envelope
from csa_shared.messaging.outbox import add_to_outbox
from csa_shared.runtime import ServiceRuntime

log = logging.getLogger(__name__)

CHILD_ERASED = "lu.csa.membership.child.erased.v1"
ERASED = "erased"


def _plain(value: Any) -> Any:
    """Rows as JSON: dates ISO, money as decimal strings (never floats)."""
    return jsonable_encoder(value, custom_encoder={Decimal: str})


def erased_iam_code(child_id: str) -> str:
    """16 characters, unique per child, not of the IAM code's shape (no name in it)."""
    return "ERASED" + hashlib.sha256(child_id.encode()).hexdigest()[:10].upper()


def _card_out(card: dict[str, Any], today: Any) -> dict[str, Any]:
    erased = card["surname"] == ERASED
    status = "revoked" if erased else ("valid" if today <= card["valid_until"] else "expired")
    return {**card, "status": status}


async def export(
    session: AsyncSession, runtime: ServiceRuntime, principal: Principal, child_id: str
) -> IdentityExport:
    require_data_subject_access(principal, child_id)
    card = await repository.card_row(session, child_id)
    account_ids = await repository.account_ids_of_child(session, child_id)
    if card is None and not account_ids:
        raise NotFound(f"no personal data about child {child_id}")
    today = as_luxembourg(identity_of(runtime).now()).date()  # the business date
    return IdentityExport(
        child_id=child_id,
        card=None if card is None else _plain(_card_out(card, today)),
        accounts=_plain(await repository.account_rows(session, account_ids)),
        certificates=_plain(await repository.certificate_rows(session, account_ids)),
        sessions=_plain(await repository.session_rows(session, account_ids)),
        letters=_plain(await repository.letter_rows(session, child_id, account_ids)),
        audit=_plain(await repository.audit_rows(session, [child_id, *account_ids])),
    )


async def erase_child(session: AsyncSession, runtime: ServiceRuntime, event: Envelope) -> None:
    """Handler of ``child.erased`` (idempotent: the inbox drops repeats, and a second run
    finds no attachment and an erased card)."""
    child_id = str(event.data["child_id"])
    now = identity_of(runtime).now()
    card = await repository.card_row(session, child_id)
    account_ids = await repository.account_ids_of_child(session, child_id)
    await repository.detach_child(session, child_id)
    for account_id in account_ids:
        await repository.revoke_sessions(session, account_id, now=now)
        disabled = not await repository.children_left(session, account_id)
        if disabled:
            await notices_repository.forget_for_erasure(session, child_id, [account_id])
            await repository.disable_account(
                session, account_id, status=AccountStatus.SUSPENDED.value, erased=ERASED
            )
        detached = child_event(CHILD_DETACHED, account_id, child_id, now, source=runtime.source)
        await add_to_outbox(session, runtime.outbox, detached)
        await audit(
            session,
            "privacy.erasure",
            now=now,
            subject=account_id,
            child=child_id,
            disabled=disabled,
        )
    await repository.forget_child_spool(session, child_id, card["iam_code"] if card else None)
    await notices_repository.forget_for_erasure(session, child_id, [])
    if card is not None:
        revoked = await repository.erase_card(
            session,
            child_id,
            iam_code=erased_iam_code(child_id),
            erased=ERASED,
            now=now,
            last_valid_day=min(card["valid_until"], as_luxembourg(now).date() - timedelta(days=1)),
        )
        if revoked:
            await audit(session, "privacy.card-revoked", now=now, subject=child_id)
    log.info("child's personal data erased", extra={"child_id": child_id})
