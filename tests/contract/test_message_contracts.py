"""Consumer-driven contracts: producers' schemas and real events hold what consumers rely on."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from csa.contracts import pacts
from csa.services import definition
from csa_shared.events import Envelope
from csa_shared.events.schemas import data_schema, known_event_types
from csa_shared.settings import SERVICES, Settings

PACTS = Path(__file__).parent / "pacts"
CONTRACTS = pacts.load_all(PACTS)
EXPECTATIONS = [(c, e) for c in CONTRACTS for e in c.messages]


def _id(item: tuple[pacts.MessageContract, pacts.Expectation]) -> str:
    contract, expectation = item
    return f"{contract.consumer}-{expectation.event_type}"


def test_there_are_contracts_for_the_attendance_to_billing_pair() -> None:
    pairs = {(c.provider, c.consumer) for c in CONTRACTS}
    assert ("attendance", "billing") in pairs


@pytest.mark.parametrize("item", EXPECTATIONS, ids=[_id(i) for i in EXPECTATIONS])
def test_the_producer_schema_guarantees_what_the_consumer_relies_on(
    item: tuple[pacts.MessageContract, pacts.Expectation],
) -> None:
    contract, expectation = item
    assert expectation.event_type in known_event_types(), (
        f"{contract.path.name}: {expectation.event_type} has no JSON Schema"
    )
    problems = pacts.check_schema(expectation, data_schema(expectation.event_type))
    assert not problems, f"{contract.pair} broken by the schema:\n" + "\n".join(problems)


@pytest.mark.parametrize("item", EXPECTATIONS, ids=[_id(i) for i in EXPECTATIONS])
def test_real_producer_events_carry_what_the_consumer_relies_on(
    item: tuple[pacts.MessageContract, pacts.Expectation],
    producer_samples: dict[str, Callable[[], list[Envelope]]],
) -> None:
    contract, expectation = item
    build = producer_samples.get(expectation.event_type)
    if build is None:
        pytest.skip(f"no producer sample for {expectation.event_type}: add one in conftest.py")
    events = build()
    assert events, "the producer sample built no event"
    for event in events:
        assert event.type == expectation.event_type
        assert event.source == f"/csa/{contract.provider}"
        problems = pacts.check_event(expectation, event.data)
        assert not problems, f"{contract.pair} broken by the producer:\n" + "\n".join(problems)


def _handled_types(tmp_path: Path) -> dict[str, set[str]]:
    """Consumer service → event types its subscribed handlers act on, read from the code."""
    handled: dict[str, set[str]] = {}
    for name in SERVICES:
        runtime = definition(name).build_runtime(Settings(CSA_VAR_DIR=tmp_path / name))
        for consumer in runtime.consumers:
            handled.setdefault(name, set()).update(consumer.handled_types)
    return handled


def test_every_event_type_a_consumer_handles_in_code_is_covered_by_a_contract(
    tmp_path: Path,
) -> None:
    declared = {(c.consumer, e.event_type) for c, e in EXPECTATIONS}
    missing = sorted(
        f"{consumer} handles {event_type}: declare it in "
        f"tests/contract/pacts/{consumer}-{event_type.split('.')[2]}.json"
        for consumer, types in _handled_types(tmp_path).items()
        for event_type in types
        if (consumer, event_type) not in declared
    )
    assert not missing, "\n".join(missing)


def test_every_event_type_with_a_contract_has_a_producer_sample(
    producer_samples: dict[str, Callable[[], list[Envelope]]],
) -> None:
    """Lists the gaps rather than hiding them; an empty list is the goal (see README.md)."""
    without = sorted({e.event_type for _, e in EXPECTATIONS} - set(producer_samples))
    assert set(without) <= KNOWN_WITHOUT_SAMPLE, f"add producer samples for {without}"
    stale = sorted(KNOWN_WITHOUT_SAMPLE - set(without))
    assert not stale, f"remove {stale} from KNOWN_WITHOUT_SAMPLE: they have samples now"


# Event types whose producer code does not build them yet; must shrink to empty.
KNOWN_WITHOUT_SAMPLE: set[str] = set()


# --- the mechanism itself, on synthetic contracts -------------------------------------

SCHEMA = {
    "type": "object",
    "required": ["id", "count", "address"],
    "properties": {
        "id": {"type": "string"},
        "count": {"type": "integer"},
        "note": {"type": "string"},
        "address": {"$ref": "#/$defs/address"},
    },
    "$defs": {
        "address": {
            "type": "object",
            "required": ["postcode"],
            "properties": {"postcode": {"type": "string"}, "commune": {"type": ["string", "null"]}},
        }
    },
}


def _expect(**fields: str | tuple[str, ...]) -> pacts.Expectation:
    return pacts.Expectation(
        "lu.csa.membership.x.y.v1",
        "",
        {k: (v,) if isinstance(v, str) else v for k, v in fields.items()},
    )


def test_a_schema_that_requires_every_relied_on_field_satisfies_the_contract() -> None:
    expectation = _expect(id="string", count="number", **{"address.postcode": "string"})
    assert pacts.check_schema(expectation, SCHEMA) == []


def test_an_optional_field_in_the_schema_breaks_the_contract() -> None:
    problems = pacts.check_schema(_expect(note="string"), SCHEMA)
    assert problems == ["lu.csa.membership.x.y.v1: schema does not require 'note' (note)"]


def test_a_nullable_field_breaks_a_consumer_that_does_not_accept_null() -> None:
    schema = {**SCHEMA, "$defs": {"address": {**SCHEMA["$defs"]["address"]}}}
    schema["$defs"]["address"]["required"] = ["postcode", "commune"]
    assert pacts.check_schema(_expect(**{"address.commune": "string"}), schema)
    assert not pacts.check_schema(_expect(**{"address.commune": ("string", "null")}), schema)


def test_a_real_event_without_a_relied_on_field_or_with_another_type_breaks_the_contract() -> None:
    expectation = _expect(id="string", count="integer")
    assert pacts.check_event(expectation, {"id": "a", "count": 2}) == []
    assert pacts.check_event(expectation, {"id": "a"}) == [
        "lu.csa.membership.x.y.v1: field 'count' missing"
    ]
    assert pacts.check_event(expectation, {"id": "a", "count": "2"}) == [
        "lu.csa.membership.x.y.v1: field 'count' is string ('2'), the consumer accepts integer"
    ]
    assert pacts.check_event(expectation, {"id": "a", "count": True})


def test_a_contract_file_must_be_named_after_its_pair(tmp_path: Path) -> None:
    (tmp_path / "billing-identity.json").write_text(
        '{"consumer": "billing", "provider": "attendance", "messages": []}'
    )
    with pytest.raises(pacts.ContractFileError, match=r"name it billing-attendance\.json"):
        pacts.load_all(tmp_path)
