"""Pseudonymisation of stored contract data (pure: JSON in, JSON out).

Names and street addresses become ``erased``; national identification numbers become a
marker derived from the record's random id (so it stays unique, and nothing about the number
can be recovered from it). Kept: the commune and country of addresses (the agents' scope and
the residence condition), incomes, categories, ranks and dates, which the closed billing
periods were computed from and the accounting retention covers.
"""

from __future__ import annotations

import hashlib
from typing import Any

ERASED = "erased"


def marker(record_id: str) -> str:
    """13 characters like a NIN, but starting with ``E``: never a valid national id."""
    return "E" + hashlib.sha256(record_id.encode()).hexdigest()[:12].upper()


def is_marker(nin: str) -> bool:
    return not nin.isdigit()


def _address(address: dict[str, Any] | None) -> dict[str, Any] | None:
    if address is None:
        return None
    return {**address, "line": ERASED, "postcode": ERASED, "locality": ERASED}


def _person(person: dict[str, Any], record_id: str) -> dict[str, Any]:
    return {**person, "first_name": ERASED, "last_name": ERASED, "nin": marker(record_id)}


def scrub_contract_data(
    data: dict[str, Any], *, child_id: str, household_id: str, household: bool
) -> dict[str, Any]:
    """The child's data erased; with ``household``, the representative's, the applicant's,
    the partner's and the members' too (the household has no other child left)."""
    out = dict(data)
    out["child"] = _person(data["child"], child_id)
    out["child_address"] = _address(data.get("child_address"))
    out["billing_address"] = _address(data.get("billing_address"))
    out["proofs"] = [{**p, "note": ERASED if p.get("note") else ""} for p in data.get("proofs", [])]
    if household:
        out["representative"] = _person(data["representative"], household_id)
        applicant = dict(data["applicant"])
        applicant["name"] = ERASED
        applicant["address"] = _address(applicant.get("address"))
        out["applicant"] = applicant
        if data.get("partner_nin"):
            out["partner_nin"] = marker(f"{household_id}/partner")
        members = data.get("household", {}).get("members", [])
        out["household"] = {
            **data["household"],
            "members": [{**m, "name": ERASED} for m in members],
        }
    return out


def personal_strings(data: dict[str, Any], *, household: bool) -> set[str]:
    """Names in a version's data, to be redacted from the explanations derived from it."""
    found = {data["child"]["first_name"], data["child"]["last_name"]}
    if household:
        found |= {data["representative"]["first_name"], data["representative"]["last_name"]}
        found.add(data["applicant"]["name"])
        found |= {m["name"] for m in data.get("household", {}).get("members", [])}
    return {s for s in found if s and s != ERASED and len(s) > 1}


def redact(value: Any, strings: set[str]) -> Any:
    """``value`` (JSON) with every occurrence of ``strings`` in its texts replaced."""
    if isinstance(value, str):
        for text in sorted(strings, key=len, reverse=True):
            value = value.replace(text, ERASED)
        return value
    if isinstance(value, list):
        return [redact(v, strings) for v in value]
    if isinstance(value, dict):
        return {k: redact(v, strings) for k, v in value.items()}
    return value
