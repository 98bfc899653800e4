"""Export of what attendance holds about a child (GDPR art. 15).

Attendance stores no name, national id or address of a child (providers report records under
the pseudonymous child id), so it does not consume ``child.erased``: nothing to scrub.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from fastapi.encoders import jsonable_encoder
from sqlalchemy.ext.asyncio import AsyncSession

from csa_attendance.privacy import repository
from csa_attendance.privacy.schemas import AttendanceExport
from csa_shared.auth import Principal
from csa_shared.auth.principal import require_data_subject_access
from csa_shared.errors import NotFound


def _plain(value: Any) -> Any:
    """Rows as JSON: dates ISO, money as decimal strings (never floats)."""
    return jsonable_encoder(value, custom_encoder={Decimal: str})


async def export(session: AsyncSession, principal: Principal, child_id: str) -> AttendanceExport:
    require_data_subject_access(principal, child_id)
    found = await repository.export_rows(session, child_id)
    if not any(found.values()):
        raise NotFound(f"no personal data about child {child_id}")
    return AttendanceExport(child_id=child_id, **_plain(found))
