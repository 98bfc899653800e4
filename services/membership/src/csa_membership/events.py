"""Membership's events: every type it publishes and its CloudEvent, on
``csa.membership.events`` (key: the child id). The contract events are decided by the domain
(``domain.events``, each class naming its ``EVENT_TYPE``); ``child.erased`` by the erasure.

National identification numbers never leave the service: the child's birth date is sent
instead (billing needs it for age-dependent rules, identity for the myCard).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from csa_membership.contracts.codec import address_to_json
from csa_membership.domain.contract import Contract
from csa_membership.domain.events import (
    ChildRegistered,
    ContractAmended,
    ContractRenewed,
    ContractState,
    ContractTerminated,
    MembershipEvent,
)
from csa_membership.domain.nin import parse_nin
from csa_shared.events import Envelope, new_event

CHILD_ERASED = "lu.csa.membership.child.erased.v1"


def _state(state: ContractState, contract: Contract) -> dict[str, Any]:
    return {
        "contract_id": state.contract_id,
        "child_id": state.child_id,
        "household_id": state.household_id,
        "version": state.version,
        "category": state.category.value,
        "rank": state.rank,
        "state_pays_all": state.state_pays_all,
        "schooling": state.schooling.value,
        "birth_date": parse_nin(contract.versions[0].data.child.nin).birth_date.isoformat(),
        "valid_from": state.valid_from.isoformat(),
        "valid_until": state.valid_until.isoformat(),
        "effective_from": state.effective_date.isoformat(),
        "language": state.language.value,
        "billing_address": address_to_json(state.billing_address),
    }


def _data(event: MembershipEvent, contract: Contract) -> dict[str, Any]:
    if isinstance(event, ChildRegistered):
        return {
            "child_id": event.child_id,
            "surname": event.last_name,
            "first_name": event.first_name,
            "birth_date": event.birth_date.isoformat(),
            "language": event.language.value,
            "home_address": address_to_json(event.home_address),
            "billing_address": address_to_json(event.billing_address),
            "household_id": contract.household_id,
            "contract_id": contract.contract_id,
            "representative": {
                "first_name": event.representative_first_name,
                "surname": event.representative_last_name,
                "address": address_to_json(event.representative_address),
            },
        }
    data = _state(event.state, contract)
    if isinstance(event, ContractAmended):
        data |= {"changes": list(event.changes), "reason": event.reason}
    elif isinstance(event, ContractRenewed):
        data |= {
            "previous_valid_until": event.previous_valid_until.isoformat(),
            "rebill_months": list(event.rebill_months),
        }
    elif isinstance(event, ContractTerminated):
        data |= {"reason": event.reason}
    return data


def to_envelope(event: MembershipEvent, contract: Contract, *, source: str) -> Envelope:
    """The CloudEvent of a membership domain event, validated against its schema."""
    return new_event(
        event.EVENT_TYPE, source=source, subject=contract.child_id, data=_data(event, contract)
    )


def erased_event(*, child_id: str, household_id: str, erased_at: datetime, source: str) -> Envelope:
    """``child.erased``: ids and the instant only (key: the child id)."""
    return new_event(
        CHILD_ERASED,
        source=source,
        subject=child_id,
        data={
            "child_id": child_id,
            "household_id": household_id,
            "erased_at": erased_at.isoformat(),
        },
    )
