"""Every query of the close, in one place: the projections it reads (``projections``), the
documents it writes (``drafts``) and the period it closes (``closing``)."""

from __future__ import annotations

from csa_billing.periods.repository.closing import (
    advance,
    closing_months,
    commit_lazily,
    dirty_before,
    finalize,
    has_adjustment,
    issued_records,
    period_row,
    start_period,
)
from csa_billing.periods.repository.drafts import (
    write_adjustment,
    write_originals,
)
from csa_billing.periods.repository.projections import (
    children_of,
    dialect_of,
    fetch_rows,
    load_children,
    provider_book,
)

__all__ = [
    "advance",
    "children_of",
    "closing_months",
    "commit_lazily",
    "dialect_of",
    "dirty_before",
    "fetch_rows",
    "finalize",
    "has_adjustment",
    "issued_records",
    "load_children",
    "period_row",
    "provider_book",
    "start_period",
    "write_adjustment",
    "write_originals",
]
