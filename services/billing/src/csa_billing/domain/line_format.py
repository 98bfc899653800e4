"""An invoice line as billing stores and shows it: a JSON object of strings, in one key
order (``week``, ``provider``, ``kind``, ``rule``, ``section``, ``quantity``,
``unit_price``, ``parent_rate``, ``state_rate``, ``parent_amount``, ``state_amount``,
``record_ids``), amounts as their exact decimal strings."""

from __future__ import annotations

import json
from json.encoder import encode_basestring_ascii

from csa_billing.domain.full_price import ParentLine
from csa_billing.domain.lines import Line

ZERO_TEXT = "0.00"


def line_dict(week: str, line: Line) -> dict[str, object]:
    """An engine line of the week starting ``week`` (ISO date)."""
    return {
        "week": week,
        "provider": line.provider,
        "kind": str(line.kind),
        "rule": str(line.rule),
        "section": line.rule_section,
        "quantity": str(line.quantity),
        "unit_price": str(line.unit_price),
        "parent_rate": str(line.parent_rate),
        "state_rate": str(line.state_rate),
        "parent_amount": str(line.parent_amount),
        "state_amount": str(line.state_amount),
        "record_ids": list(line.record_ids),
    }


def parent_line_dict(week: str, line: ParentLine) -> dict[str, object]:
    """A line the parent pays in full (no contract, other charge): state rate and amount 0."""
    return {
        "week": week,
        "provider": line.provider,
        "kind": line.kind,
        "rule": line.rule,
        "section": line.section,
        "quantity": str(line.quantity),
        "unit_price": str(line.unit_price),
        "parent_rate": str(line.unit_price),
        "state_rate": ZERO_TEXT,
        "parent_amount": str(line.amount),
        "state_amount": ZERO_TEXT,
        "record_ids": list(line.record_ids),
    }


def parent_line_json(week: str, line: ParentLine) -> str:
    """``json.dumps(parent_line_dict(week, line))``."""
    return json.dumps(parent_line_dict(week, line))


_heads: dict[tuple[str, str, str], str] = {}


def _head(provider: str, kind: str, rule: str, section: str) -> str:
    """The provider, kind, rule and section of a line as ``json.dumps`` writes them (ASCII,
    quoted), memoized: a close has few distinct ones."""
    key = (provider, kind, rule)
    found = _heads.get(key)
    if found is None:
        found = (
            f'"provider": {encode_basestring_ascii(provider)}, '
            f'"kind": {encode_basestring_ascii(kind)}, '
            f'"rule": {encode_basestring_ascii(rule)}, '
            f'"section": {encode_basestring_ascii(section)}'
        )
        if len(_heads) < 65536:
            _heads[key] = found
    return found


def line_json(week: str, line: Line) -> str:
    """``json.dumps(line_dict(week, line))``, written directly (same keys, order, separators
    and escaping): the close stores the lines as this JSON and keeps no line dicts."""
    head = _heads.get((line.provider, line.kind, line.rule)) or _head(
        line.provider, str(line.kind), str(line.rule), line.rule_section
    )
    ids = ", ".join(map(encode_basestring_ascii, line.record_ids))
    return (
        f'{{"week": "{week}", {head}, '
        f'"quantity": "{line.quantity!s}", "unit_price": "{line.unit_price!s}", '
        f'"parent_rate": "{line.parent_rate!s}", "state_rate": "{line.state_rate!s}", '
        f'"parent_amount": "{line.parent_amount!s}", "state_amount": "{line.state_amount!s}", '
        f'"record_ids": [{ids}]}}'
    )
