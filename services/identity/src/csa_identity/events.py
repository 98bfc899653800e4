"""Identity's events: every type it publishes on ``csa.identity.events`` and its CloudEvent
(key: the account for account and child events, the child for a card)."""

from __future__ import annotations

from datetime import datetime

from csa_identity.domain.accounts import ParentAccount
from csa_identity.domain.mycard import MyCard
from csa_shared.events import Envelope, new_event

ACCOUNT_CREATED = "lu.csa.identity.account.created.v1"
CHILD_ATTACHED = "lu.csa.identity.child.attached.v1"
CHILD_DETACHED = "lu.csa.identity.child.detached.v1"
CARD_ISSUED = "lu.csa.identity.card.issued.v1"


def account_created(account: ParentAccount, now: datetime, *, source: str) -> Envelope:
    return new_event(
        ACCOUNT_CREATED,
        source=source,
        subject=account.account_id,
        data={
            "account_id": account.account_id,
            "child_ids": list(account.child_ids),
            "created_at": now.isoformat(),
        },
    )


def child_event(
    event_type: str, account_id: str, child_id: str, now: datetime, *, source: str
) -> Envelope:
    """``child.attached`` or ``child.detached``."""
    return new_event(
        event_type,
        source=source,
        subject=account_id,
        data={"account_id": account_id, "child_id": child_id, "at": now.isoformat()},
    )


def card_issued(card: MyCard, now: datetime, *, source: str) -> Envelope:
    return new_event(
        CARD_ISSUED,
        source=source,
        subject=card.child_id,
        data={
            "child_id": card.child_id,
            "iam_code": card.iam_code,
            "valid_until": card.valid_until.isoformat(),
            "duplicate_number": card.duplicate_number,
            "issued_at": now.isoformat(),
        },
    )
