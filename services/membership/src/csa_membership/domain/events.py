"""Domain events of the membership service (csa-rules.md §8; DEVELOPING.md event types).

Plain dataclasses; the adapter wraps them in CloudEvents whose ``type`` is ``EVENT_TYPE`` and
whose Kafka key is the contract id (the child id for ``ChildRegistered``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import ClassVar

from csa_membership.domain.application import Address, Language
from csa_membership.domain.child import Schooling
from csa_shared.rules.categories import Category


@dataclass(frozen=True)
class ChildRegistered:
    """A child joined the scheme: identity issues the myCard (§9).

    The myCard letter goes to the legal representative: their name and postal address (the
    applicant's address when the applicant is the representative, else the child's home).
    """

    EVENT_TYPE: ClassVar[str] = "lu.csa.membership.child.registered.v1"
    child_id: str
    first_name: str
    last_name: str
    birth_date: date
    language: Language
    billing_address: Address
    home_address: Address
    representative_first_name: str
    representative_last_name: str
    representative_address: Address


@dataclass(frozen=True)
class ContractState:
    """What billing needs to price a child's weeks from ``effective_date`` on."""

    child_id: str
    contract_id: str
    household_id: str
    version: int
    effective_date: date
    category: Category
    rank: int
    state_pays_all: bool
    schooling: Schooling
    valid_from: date
    valid_until: date
    language: Language
    billing_address: Address


@dataclass(frozen=True)
class ContractSigned:
    """The contract is signed and active (§8)."""

    EVENT_TYPE: ClassVar[str] = "lu.csa.membership.contract.signed.v1"
    state: ContractState


@dataclass(frozen=True)
class ContractAmended:
    """A new version applies from ``state.effective_date`` (§8 change of situation)."""

    EVENT_TYPE: ClassVar[str] = "lu.csa.membership.contract.amended.v1"
    state: ContractState
    changes: tuple[str, ...]
    reason: str | None


@dataclass(frozen=True)
class ContractRenewed:
    """The validity was extended; ``rebill_months`` lists closed periods to re-bill."""

    EVENT_TYPE: ClassVar[str] = "lu.csa.membership.contract.renewed.v1"
    state: ContractState
    previous_valid_until: date
    rebill_months: tuple[str, ...]


@dataclass(frozen=True)
class ContractExpired:
    """The contract reached its end without renewal: no CSA after ``state.valid_until``."""

    EVENT_TYPE: ClassVar[str] = "lu.csa.membership.contract.expired.v1"
    state: ContractState


@dataclass(frozen=True)
class ContractTerminated:
    """The contract was ended early; no CSA after ``state.valid_until``."""

    EVENT_TYPE: ClassVar[str] = "lu.csa.membership.contract.terminated.v1"
    state: ContractState
    reason: str


MembershipEvent = (
    ChildRegistered
    | ContractSigned
    | ContractAmended
    | ContractRenewed
    | ContractExpired
    | ContractTerminated
)
