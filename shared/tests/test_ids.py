"""Bulk random ids are version-4 UUIDs spelt as `str(uuid.uuid4())` spells them."""

from __future__ import annotations

import uuid

from csa_shared.ids import uuid4_strings


def test_bulk_ids_are_distinct_rfc_4122_version_4_uuids_in_canonical_spelling() -> None:
    ids = uuid4_strings(2000)
    assert len(set(ids)) == 2000
    for text in ids:
        parsed = uuid.UUID(text)
        assert (parsed.version, parsed.variant) == (4, uuid.RFC_4122)
        assert str(parsed) == text


def test_no_ids_asked_none_given() -> None:
    assert uuid4_strings(0) == []
