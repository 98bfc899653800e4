"""`csa backup` / `csa restore` of the embedded platform's SQLite files, through the CLI."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from csa.backup import BackupFailed, restore
from csa.cli import app as csa
from csa_shared.settings import SERVICES, get_settings


def test_embedded_backup_and_restore_through_the_cli(tmp_path: Path, monkeypatch) -> None:
    var = tmp_path / "var"
    monkeypatch.setenv("CSA_VAR_DIR", str(var))
    get_settings.cache_clear()
    try:
        for service in SERVICES:
            var.mkdir(exist_ok=True)
            with sqlite3.connect(var / f"{service}.db") as db:
                db.execute("CREATE TABLE note (text TEXT)")
                db.execute("INSERT INTO note VALUES (?)", (f"{service} before",))
            db.close()
        saved = CliRunner().invoke(csa, ["backup", str(tmp_path / "backup")])
        assert saved.exit_code == 0, saved.output
        with sqlite3.connect(var / "billing.db") as db:
            db.execute("UPDATE note SET text = 'lost'")
        db.close()

        put_back = CliRunner().invoke(csa, ["restore", str(tmp_path / "backup"), "--yes"])

        assert put_back.exit_code == 0, put_back.output
        with sqlite3.connect(var / "billing.db") as db:
            assert db.execute("SELECT text FROM note").fetchall() == [("billing before",)]
        db.close()
    finally:
        get_settings.cache_clear()


def test_a_directory_that_is_not_a_backup_is_refused(tmp_path: Path) -> None:
    with pytest.raises(BackupFailed, match="not a csa backup"):
        restore({"billing": f"sqlite:///{tmp_path / 'billing.db'}"}, tmp_path)
