"""The reads `repository.load_records` makes for one record and one child (a correction),
as one prebuilt query per table: its key query and its window query (the same conditions)
as one UNION ALL with named parameters, built once, so a correction neither builds
SQLAlchemy expressions nor waits for a second round trip."""

from __future__ import annotations

import functools
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Table, bindparam, select, union_all


@functools.cache
def query(table: Table) -> Any:
    """The key and window reads of `table` (presences; meals by day), bound by `params`."""
    c = table.c
    key = (c.provider_id == bindparam("t_provider")) & (
        c.provider_record_id == bindparam("t_record")
    )
    if "day" in c:  # meals: of the child, days of the window
        near = (c.day >= bindparam("t_lo_day")) & (c.day <= bindparam("t_hi_day"))
    else:  # presences and reservations overlapping the window
        near = (
            (c.start < bindparam("t_hi"))
            & (c.start > bindparam("t_since"))
            & (c.end > bindparam("t_lo"))
        )
    window = (c.child_id == bindparam("t_child")) & near
    return union_all(select(table).where(key), select(table).where(window))


def params(
    provider_id: str,
    keys: list[str],
    children: set[str],
    lo: datetime,
    hi: datetime,
    longest: timedelta,
) -> dict[str, Any]:
    """`query`'s parameters: exactly one key and one child."""
    ((key,), (child,)) = keys, children
    return {
        "t_provider": provider_id,
        "t_record": key,
        "t_child": child,
        "t_lo": lo,
        "t_hi": hi,
        "t_since": lo - longest,
        "t_lo_day": lo.date(),
        "t_hi_day": hi.date(),
    }
