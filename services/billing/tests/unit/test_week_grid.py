"""Every row of the barème (csa-rules.md §3) through a 60-hour week at an SEA at 6.00/h.

Mon-Fri 07:00-19:00 = 60 h, young child, no free hours: the parent pays
T1 h x r1 + T2 h x r2 + T3 h x r3, the state 360.00 minus that.
"""

from datetime import date
from decimal import Decimal

import pytest

from csa_billing.domain.week import compute_week

GRID = [
    # category, rank, parent amount worked out by hand
    ("rmg", 1, "13.00"),  # 26 x 0.50
    ("rmg", 2, "7.80"),  # 26 x 0.30
    ("rmg", 3, "3.90"),  # 26 x 0.15
    ("rmg", 4, "0.00"),
    ("lt_1_5", 1, "23.50"),  # 47 x 0.50
    ("lt_1_5", 2, "14.10"),  # 47 x 0.30
    ("lt_1_5", 3, "7.05"),  # 47 x 0.15
    ("lt_1_5", 4, "0.00"),
    ("lt_2", 1, "60.00"),  # 21 x 1.00 + 26 x 1.50
    ("lt_2", 2, "43.30"),  # 21 x 0.70 + 26 x 1.10
    ("lt_2", 3, "21.65"),  # 21 x 0.35 + 26 x 0.55
    ("lt_2", 4, "0.00"),
    ("lt_2_5", 1, "109.00"),  # 21 x 1.50 + 31 x 2.50
    ("lt_2_5", 2, "78.90"),  # 21 x 1.10 + 31 x 1.80
    ("lt_2_5", 3, "39.45"),  # 21 x 0.55 + 31 x 0.90
    ("lt_2_5", 4, "0.00"),
    ("lt_3", 1, "150.50"),  # 21 x 2.00 + 31 x 3.50
    ("lt_3", 2, "118.30"),  # 21 x 1.50 + 31 x 2.80
    ("lt_3", 3, "56.05"),  # 21 x 0.75 + 31 x 1.30
    ("lt_3", 4, "0.00"),
    ("lt_3_5", 1, "214.50"),  # 21 x 2.50 + 36 x 4.50
    ("lt_3_5", 2, "156.60"),  # 21 x 1.80 + 36 x 3.30
    ("lt_3_5", 3, "85.50"),  # 21 x 0.90 + 36 x 1.85
    ("lt_3_5", 4, "0.00"),
    ("lt_4", 1, "282.00"),  # 24 x 3.50 + 36 x 5.50
    ("lt_4", 2, "212.40"),  # 24 x 2.70 + 36 x 4.10
    ("lt_4", 3, "112.20"),  # 24 x 1.60 + 36 x 2.05
    ("lt_4", 4, "0.00"),
    ("lt_4_5", 1, "312.00"),  # 24 x 4.00 + 36 x 6.00
    ("lt_4_5", 2, "249.60"),  # 24 x 3.20 + 36 x 4.80
    ("lt_4_5", 3, "136.80"),  # 24 x 2.10 + 36 x 2.40
    ("lt_4_5", 4, "0.00"),
    ("ge_4_5", 1, "312.00"),  # 24 x 4.00 + 36 x 6.00
    ("ge_4_5", 2, "285.60"),  # 24 x 3.20 + 36 x 5.80
    ("ge_4_5", 3, "151.20"),  # 24 x 2.10 + 36 x 2.80
    ("ge_4_5", 4, "0.00"),
    ("undisclosed", 1, "312.00"),  # as ge_4_5
    ("undisclosed", 2, "285.60"),
    ("undisclosed", 3, "151.20"),
    ("undisclosed", 5, "0.00"),  # rank 5 uses the 4+ row
]


@pytest.mark.parametrize(("category", "rank", "parent"), GRID)
@pytest.mark.parametrize("monday", [date(2024, 10, 7), date(2025, 3, 10)], ids=["set1", "set2"])
def test_grid_row_60h_at_6_00_parent_pays_hand_computed_amount(
    build, category: str, rank: int, parent: str, monday: date
) -> None:
    week = build.week(
        [build.sea()], build.full_weekdays(monday=monday), category=category, rank=rank,
        monday=monday,
    )  # fmt: skip
    result = compute_week(week)
    assert result.parent_total == Decimal(parent)
    assert result.state_total == Decimal("360.00") - Decimal(parent)
    assert result.hours.unsupported == 0
    assert result.hours.tranche_1 + result.hours.tranche_2 + result.hours.tranche_3 == 3600
