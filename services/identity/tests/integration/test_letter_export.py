"""``csa identity export-letters``: the print shop's batch of the letter spool."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from csa_identity.tables import letters
from csa_shared.runtime import ServiceRuntime

from .conftest import card_for

pytestmark = pytest.mark.postgres

CSA = Path(sys.executable).with_name("csa")


def export(identity: ServiceRuntime, target: Path) -> str:
    env = {
        **os.environ,
        "IDENTITY_DATABASE_URL": identity.settings.database_url("identity"),
        "CSA_VAR_DIR": str(identity.settings.var_dir),
    }
    done = subprocess.run(
        [str(CSA), "identity", "export-letters", str(target)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


async def exported(identity: ServiceRuntime) -> dict[int, bool]:
    async with identity.unit_of_work() as session:
        rows = await session.execute(select(letters.c.id, letters.c.exported_at))
        return {row.id: row.exported_at is not None for row in rows}


async def test_export_writes_each_letter_once_and_marks_it_exported(
    api: httpx.AsyncClient, identity: ServiceRuntime, tmp_path: Path
) -> None:
    await card_for(api, identity, "child-1")
    await card_for(api, identity, "child-2")
    spooled = await exported(identity)
    assert len(spooled) == 2 and not any(spooled.values())

    first = tmp_path / "batch-1"
    assert "exported 2 letter(s)" in export(identity, first)
    files = sorted(first.iterdir())
    assert [f.name for f in files] == sorted(f"{letter_id}.pdf" for letter_id in spooled)
    for file in files:
        assert file.read_bytes().startswith(b"%PDF-")
    assert all((await exported(identity)).values())

    second = tmp_path / "batch-2"
    assert "exported 0 letter(s)" in export(identity, second)
    assert list(second.iterdir()) == []

    await card_for(api, identity, "child-3")
    third = tmp_path / "batch-3"
    assert "exported 1 letter(s)" in export(identity, third)
    (only,) = third.iterdir()
    assert only.name == f"{max(await exported(identity))}.pdf"
