"""Constrained types of API inputs, bounded as ``csa_shared.rules.bounds`` says (issue 19 §4).

Every schema of the services builds on these, so an absurd value (year 9999, 1e400 €, a NUL
in a name) is a 422 problem at the edge instead of an overflow, a database error or a
calendar that cannot be stepped through. The checks run in pydantic-core (no Python
validator per value), so they cost nothing measurable in the batch ingest.

Lists get their bound where they are declared (``Field(max_length=...)``), and so do texts:
``SafeText`` adds no length of its own, a field's ``max_length`` would lose against it.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from pydantic import Field

from csa_shared.rules.bounds import (
    AMOUNT_DECIMALS,
    EARLIEST_DAY,
    EARLIEST_INSTANT,
    INSTANT_AFTER_LATEST,
    LATEST_DAY,
    MAX_AMOUNT,
    MAX_INCOME,
    MONTH_PATTERN,
    NO_NUL_PATTERN,
)

SaneDate = Annotated[date, Field(ge=EARLIEST_DAY, le=LATEST_DAY)]
SaneDateTime = Annotated[datetime, Field(ge=EARLIEST_INSTANT, lt=INSTANT_AFTER_LATEST)]
SaneMonth = Annotated[str, Field(pattern=MONTH_PATTERN, examples=["2025-03"])]
Money = Annotated[Decimal, Field(ge=0, le=MAX_AMOUNT, decimal_places=AMOUNT_DECIMALS)]
Income = Annotated[Decimal, Field(ge=0, le=MAX_INCOME, decimal_places=AMOUNT_DECIMALS)]
SafeText = Annotated[str, Field(pattern=NO_NUL_PATTERN)]

#: the longest list of small items a body may carry where no rule sets a lower bound
MAX_ITEMS = 1000
