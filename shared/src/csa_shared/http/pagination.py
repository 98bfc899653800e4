"""Cursor pagination: one shape for every list a partner pages through (issue 23).

A list endpoint takes the query parameters ``limit`` (1..200, default 50) and ``cursor`` (the
``next_cursor`` of the previous page), beside its own filters, and answers
``{"items": [...], "next_cursor": "..." | null}``::

    @dataclass(frozen=True)
    class InvoiceQuery(PageParams):          # the list's filters, after limit and cursor
        month: Annotated[SaneMonth | None, Query()] = None

    class InvoicePage(Page[InvoiceOut]):     # a named subclass: a stable schema name
        pass

    KEYS = (Key(invoices.c.month), Key(invoices.c.invoice_id))
    rows, next_cursor = await fetch_page(session, select(invoices).where(...), KEYS, query)
    return InvoicePage(items=[...], next_cursor=next_cursor)

The pages are keyset pages: the rows are ordered by ``keys`` (ending with a unique column,
so the order is total and stable) and a page starts after the last row of the previous one,
whatever was inserted or deleted meanwhile; no row is skipped or repeated, and no page costs
more than the rows it returns (no ``OFFSET``, no ``COUNT``).

The cursor is opaque to the caller: base64url (no padding) of a small JSON document holding
the list's key names and the last row's key values, with a checksum. It is validated, not
trusted: a garbled, truncated or foreign cursor (another list's) is a 422 problem naming
``cursor``, never a 500. It is not a secret and needs none: the list's filters and access
rules apply to every page, so a forged cursor can only move the starting point of what the
caller may see anyway.
"""

# No ``from __future__ import annotations``: ``PageParams``'s annotations must be objects, so
# that a subclass declared in another module (which cannot resolve the name ``Limit``) works
# as a FastAPI dependency.
import base64
import binascii
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Query
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, Field
from sqlalchemy import ColumnElement, Select, and_, or_
from sqlalchemy.ext.asyncio import AsyncSession

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
#: a cursor is a few key values; anything longer is not one of ours
MAX_CURSOR_LENGTH = 512
_VERSION = 1

T = TypeVar("T")

Limit = Annotated[
    int,
    Query(ge=1, le=MAX_LIMIT, description=f"Items per page, 1 to {MAX_LIMIT}"),
]
Cursor = Annotated[
    str | None,
    Query(
        max_length=MAX_CURSOR_LENGTH,
        pattern=r"^[A-Za-z0-9_-]+$",
        description="The `next_cursor` of the previous page; absent for the first page",
    ),
]


@dataclass(frozen=True)
class PageParams:
    """``limit`` and ``cursor``: a list's query dependency extends this with its filters."""

    limit: Limit = DEFAULT_LIMIT
    cursor: Cursor = None


class Page(BaseModel, Generic[T]):
    """One page of a list; subclass it per item type (``class InvoicePage(Page[InvoiceOut])``)
    so the OpenAPI schema gets a stable name."""

    items: list[T] = Field(description="The items of this page, in the list's stable order")
    next_cursor: str | None = Field(
        description="Pass as `cursor` to get the next page; null on the last page",
    )


@dataclass(frozen=True)
class Key:
    """One column of a list's order; the last key of a list must be unique (an id)."""

    column: ColumnElement[Any]
    descending: bool = False

    @property
    def label(self) -> str:
        """The column's name in a row."""
        return str(getattr(self.column, "key", None) or self.column)

    @property
    def name(self) -> str:
        """The column's name in a cursor, with its table's: another list's cursor is refused."""
        table = getattr(getattr(self.column, "table", None), "name", None)
        return f"{table}.{self.label}" if table else self.label


def _python_type(key: Key) -> type:
    try:
        return key.column.type.python_type
    except NotImplementedError:
        return str


def _encode_value(value: Any) -> Any:
    if isinstance(value, date | datetime):  # datetime is a date: both via isoformat
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if value is None or isinstance(value, bool | int | str):
        return value
    raise TypeError(f"a pagination key cannot hold {type(value).__name__}")


def _decode_value(key: Key, raw: Any) -> Any:
    """``raw`` as the key's column type; ``ValueError`` when it is not one."""
    kind = _python_type(key)
    if issubclass(kind, datetime) and isinstance(raw, str):
        return datetime.fromisoformat(raw)
    if issubclass(kind, date) and isinstance(raw, str) and len(raw) == 10:
        return date.fromisoformat(raw)
    if issubclass(kind, Decimal) and isinstance(raw, str):
        try:
            return Decimal(raw)
        except InvalidOperation as exc:
            raise ValueError("not a decimal") from exc
    for plain in (bool, int, str):  # bool first: a bool is an int
        if issubclass(kind, plain):
            if isinstance(raw, plain) and (plain is bool or not isinstance(raw, bool)):
                return raw
            break
    raise ValueError(f"{key.name}: not a {kind.__name__}")


def _checksum(payload: bytes) -> str:
    return hashlib.blake2b(payload, digest_size=6).hexdigest()


def encode_cursor(keys: Sequence[Key], values: Sequence[Any]) -> str:
    """The cursor of the row whose key values are ``values``."""
    body = {"v": _VERSION, "k": [k.name for k in keys], "a": [_encode_value(v) for v in values]}
    payload = json.dumps(body, separators=(",", ":"), sort_keys=True).encode()
    document = json.dumps({"b": body, "c": _checksum(payload)}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(document).rstrip(b"=").decode()


def invalid_cursor(message: str, cursor: str) -> RequestValidationError:
    """The 422 of a cursor that is not one of this list's (``errors[0].field == "cursor"``)."""
    return RequestValidationError(
        [{"type": "value_error", "loc": ("query", "cursor"), "msg": message, "input": cursor}]
    )


def decode_cursor(keys: Sequence[Key], cursor: str) -> list[Any]:
    """The key values ``cursor`` holds; ``RequestValidationError`` (a 422) if garbled,
    tampered with, or made by another list."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        document = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
        body, checksum = document["b"], document["c"]
        payload = json.dumps(body, separators=(",", ":"), sort_keys=True).encode()
    except (ValueError, TypeError, KeyError, binascii.Error, UnicodeError) as exc:
        raise invalid_cursor("not a cursor of this list", cursor) from exc
    if not isinstance(body, dict) or checksum != _checksum(payload):
        raise invalid_cursor("not a cursor of this list", cursor)
    names, raw = body.get("k"), body.get("a")
    if body.get("v") != _VERSION or names != [k.name for k in keys]:
        raise invalid_cursor("a cursor of another list or version", cursor)
    if not isinstance(raw, list) or len(raw) != len(keys):
        raise invalid_cursor("not a cursor of this list", cursor)
    try:
        return [_decode_value(key, value) for key, value in zip(keys, raw, strict=True)]
    except ValueError as exc:
        raise invalid_cursor("not a cursor of this list", cursor) from exc


def _after(keys: Sequence[Key], values: Sequence[Any]) -> ColumnElement[bool]:
    """Rows strictly after ``values`` in the order of ``keys`` (each key in its direction):
    ``k1 > v1 OR (k1 = v1 AND k2 > v2) OR ...`` (works with mixed directions)."""
    branches = []
    for i, key in enumerate(keys):
        equal = [keys[j].column == values[j] for j in range(i)]
        beyond = key.column < values[i] if key.descending else key.column > values[i]
        branches.append(and_(*equal, beyond))
    return or_(*branches)


def keyset(query: Select[Any], keys: Sequence[Key], params: PageParams) -> Select[Any]:
    """``query`` ordered by ``keys``, from after ``params.cursor``, one row beyond the page
    (to know whether another page follows). Any order of ``query`` is replaced."""
    if not keys:
        raise ValueError("a keyset page needs at least one key")
    if params.cursor is not None:
        query = query.where(_after(keys, decode_cursor(keys, params.cursor)))
    order = [k.column.desc() if k.descending else k.column.asc() for k in keys]
    return query.order_by(None).order_by(*order).limit(params.limit + 1)


def _value_of(row: Any, key: Key) -> Any:
    mapping = row._mapping
    return mapping[key.column] if key.column in mapping else mapping[key.label]


def page_of_rows(
    rows: Sequence[Any], keys: Sequence[Key], params: PageParams
) -> tuple[list[Any], str | None]:
    """The page's rows and the next cursor, from the rows of ``keyset(...)``."""
    page = list(rows[: params.limit])
    if len(rows) <= params.limit:
        return page, None
    return page, encode_cursor(keys, [_value_of(page[-1], key) for key in keys])


async def fetch_page(
    session: AsyncSession, query: Select[Any], keys: Sequence[Key], params: PageParams
) -> tuple[list[Any], str | None]:
    """Run ``query`` as one keyset page: (the page's rows, the next page's cursor or None)."""
    rows = (await session.execute(keyset(query, keys, params))).all()
    return page_of_rows(rows, keys, params)
