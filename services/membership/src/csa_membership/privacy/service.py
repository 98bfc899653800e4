"""Export and erasure of a child's personal data (GDPR art. 15 and 17).

Export: every stored row about the child, its contracts (each version's full data) and proofs,
and the households of those contracts. Erasure (privacy officer): active contracts are
terminated as an agent would (``contract.terminated`` to billing), unsigned applications
closed; then the child's names, national id and addresses are pseudonymised in every row,
and the household's representative, applicant, partner and member names too unless another
child of the household still has data here; its standing sign-ups for plurilingual weeks are
cancelled (the places freed); finally ``child.erased`` tells identity and
billing to scrub their copies. A repeated request finds the child erased and changes nothing.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from fastapi.encoders import jsonable_encoder
from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncSession

from csa_membership.contracts import repository as contracts_repository
from csa_membership.domain.contract import Contract, ContractStatus
from csa_membership.domain.lifecycle import terminate
from csa_membership.events import erased_event, to_envelope
from csa_membership.privacy import repository
from csa_membership.privacy.schemas import ErasureIn, ErasureOut, MembershipExport
from csa_membership.privacy.scrub import (
    ERASED,
    is_marker,
    marker,
    personal_strings,
    redact,
    scrub_contract_data,
)
from csa_membership.weeks import repository as weeks_repository
from csa_shared.auth import Principal
from csa_shared.auth.principal import require_data_subject_access, require_privacy_officer
from csa_shared.clock import luxembourg_today
from csa_shared.errors import NotFound
from csa_shared.messaging.outbox import add_to_outbox


def _plain(value: Any) -> Any:
    """Rows as JSON: dates ISO, money as decimal strings (never floats)."""
    return jsonable_encoder(value, custom_encoder={Decimal: str})


async def export(session: AsyncSession, principal: Principal, child_id: str) -> MembershipExport:
    require_data_subject_access(principal, child_id)
    child = await repository.child_row(session, child_id)
    if child is None:
        raise NotFound(f"no personal data about child {child_id}")
    rows = await repository.contract_rows(session, child_id)
    ids = [r["contract_id"] for r in rows]
    versions = await repository.version_rows(session, ids)
    proofs = await repository.proof_rows(session, ids)
    households = await repository.household_rows(session, sorted({r["household_id"] for r in rows}))
    contracts = [
        {
            **row,
            "versions": [v for v in versions if v["contract_id"] == row["contract_id"]],
            "proofs": [p for p in proofs if p["contract_id"] == row["contract_id"]],
        }
        for row in rows
    ]
    return MembershipExport(
        child_id=child_id,
        child=_plain(child),
        households=_plain(households),
        contracts=_plain(contracts),
        week_sign_ups=_plain(await weeks_repository.sign_up_rows(session, child_id)),
    )


def _last_day(contract: Contract, day: date) -> date:
    validity = contract.validity
    assert validity is not None  # an active contract was signed
    return min(max(day, validity.valid_from), validity.valid_until)


async def _end_contracts(
    session: AsyncSession, outbox: Table, stored: list[Any], reason: str, source: str
) -> list[str]:
    """Terminate active contracts (event as usual), close unsigned applications."""
    ended: list[str] = []
    now, day = datetime.now(UTC), luxembourg_today()
    for item in stored:
        contract = item.contract
        if contract.status is ContractStatus.ACTIVE:
            after, event = terminate(contract, last_day=_last_day(contract, day), reason=reason)
            await contracts_repository.update(session, contract, after)
            await add_to_outbox(session, outbox, to_envelope(event, after, source=source))
            ended.append(contract.contract_id)
        elif contract.status is ContractStatus.APPLIED:
            await repository.close_applied(
                session, contract.contract_id, reason=reason, updated_at=now
            )
            ended.append(contract.contract_id)
    return ended


async def erase(
    session: AsyncSession, outbox: Table, principal: Principal, body: ErasureIn, *, source: str
) -> ErasureOut:
    require_privacy_officer(principal)
    child_id = body.child_id
    child = await repository.child_row(session, child_id, for_update=True)
    if child is None:
        raise NotFound(f"no personal data about child {child_id}")
    stored = await contracts_repository.of_child(session, child_id)
    household_ids = sorted({s.contract.household_id for s in stored})
    if is_marker(child["nin"]):
        return ErasureOut(
            child_id=child_id,
            household_ids=household_ids,
            erased_at=None,
            terminated_contracts=[],
            already_erased=True,
        )
    erased_at = datetime.now(UTC)
    reason = f"personal data erased on request: {body.reason}"
    ended = await _end_contracts(session, outbox, stored, reason, source)
    await weeks_repository.withdraw(session, child_id)
    whole = {h: not await repository.other_children_of(session, h, child_id) for h in household_ids}
    ids = [s.contract.contract_id for s in stored]
    household_of = {s.contract.contract_id: s.contract.household_id for s in stored}
    names: dict[str, set[str]] = {}
    for version in await repository.version_rows(session, ids):
        contract_id = version["contract_id"]
        household_id = household_of[contract_id]
        alone = whole[household_id]
        strings = personal_strings(version["data"], household=alone)
        names.setdefault(contract_id, set()).update(strings)
        data = scrub_contract_data(
            version["data"], child_id=child_id, household_id=household_id, household=alone
        )
        await repository.replace_version_data(
            session, contract_id, version["number"], data, redact(version["assessment"], strings)
        )
    for row in await repository.contract_rows(session, child_id):
        eligibility = redact(row["eligibility"], names.get(row["contract_id"], set()))
        await repository.replace_eligibility(session, row["contract_id"], eligibility)
    await repository.scrub_proof_notes(session, ids, erased=ERASED)
    await repository.scrub_child(session, child_id, marker=marker(child_id), erased=ERASED)
    for household_id, alone in whole.items():
        if alone:
            await repository.scrub_household(session, household_id, marker=marker(household_id))
    latest = max(stored, key=lambda s: (s.contract.filed_on, s.contract.contract_id), default=None)
    main_household = latest.contract.household_id if latest else ""
    await add_to_outbox(
        session,
        outbox,
        erased_event(
            child_id=child_id,
            household_id=main_household or child_id,
            erased_at=erased_at,
            source=source,
        ),
    )
    return ErasureOut(
        child_id=child_id,
        household_ids=[h for h, alone in whole.items() if alone],
        erased_at=erased_at,
        terminated_contracts=ended,
        already_erased=False,
    )
