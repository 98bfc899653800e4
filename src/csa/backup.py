"""``csa backup`` / ``csa restore``: each service's database into a directory and back.

SQLite (embedded, ``csa run``): SQLite's online backup API, a consistent copy while the
platform runs. PostgreSQL (Compose, or any server the ``*_DATABASE_URL`` name): ``pg_dump
--format=custom`` and ``pg_restore --clean --if-exists --single-transaction``, the client
tools of the server's major version or later on PATH; the password goes to them in
``PGPASSWORD``, never on the command line. A restore replaces what the database holds: stop
the services first. Kubernetes uses CloudNativePG's backups instead (docs/DEPLOY.md).
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import URL, make_url

MANIFEST = "manifest.json"


class BackupFailed(RuntimeError):
    """A dump or restore tool failed, or the backup directory is not one of ours."""


def backup(databases: dict[str, str], target: Path) -> dict[str, str]:
    """Back up each ``service → database URL`` into ``target``; returns service → file."""
    target.mkdir(parents=True, exist_ok=True)
    files: dict[str, str] = {}
    for service, url in databases.items():
        parsed = make_url(url)
        if parsed.get_backend_name() == "sqlite":
            files[service] = f"{service}.db"
            _copy_sqlite(Path(parsed.database or ""), target / files[service])
        else:
            files[service] = f"{service}.dump"
            _run_pg("pg_dump", parsed, ["--format=custom", f"--file={target / files[service]}"])
    manifest = {"created_at": datetime.now(UTC).isoformat(), "files": files}
    (target / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return files


def restore(databases: dict[str, str], source: Path) -> list[str]:
    """Restore the services of ``databases`` found in ``source``'s manifest; returns them."""
    try:
        files = json.loads((source / MANIFEST).read_text(encoding="utf-8"))["files"]
    except (OSError, ValueError, KeyError) as exc:
        raise BackupFailed(f"{source} is not a csa backup ({MANIFEST}: {exc})") from exc
    restored = []
    for service, url in databases.items():
        if service not in files:
            continue
        parsed, file = make_url(url), source / files[service]
        if parsed.get_backend_name() == "sqlite":
            _copy_sqlite(file, Path(parsed.database or ""))
        else:
            options = ["--clean", "--if-exists", "--no-owner", "--single-transaction"]
            _run_pg("pg_restore", parsed, [*options, str(file)])
        restored.append(service)
    return restored


def _copy_sqlite(source: Path, target: Path) -> None:
    """A consistent copy through SQLite's backup API (pages copied under a read lock)."""
    if not source.exists():
        raise BackupFailed(f"no SQLite database at {source}")
    target.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(source) as origin, sqlite3.connect(target) as copy:
        origin.backup(copy)
    origin.close()
    copy.close()


def _run_pg(tool: str, url: URL, arguments: Iterable[str]) -> None:
    executable = shutil.which(tool)
    if executable is None:
        raise BackupFailed(f"{tool} is not on PATH (install the PostgreSQL client tools)")
    with tempfile.TemporaryDirectory() as private:
        # the password in a libpq password file (mode 0600), never on the command line
        dbname = _without_password(url)
        if url.password:
            passfile = Path(private) / "pgpass"
            passfile.touch(mode=0o600)
            passfile.write_text(f"*:*:*:*:{_pgpass_escaped(url.password)}\n", encoding="utf-8")
            dbname = dbname.update_query_dict({"passfile": str(passfile)})
        command = [executable, *arguments, f"--dbname={dbname.render_as_string(False)}"]
        result = subprocess.run(command, capture_output=True, text=True, check=False)
    plain = _without_password(url)
    if result.returncode != 0:
        raise BackupFailed(f"{tool} failed for {plain.database}: {result.stderr.strip()}")


def _without_password(url: URL) -> URL:
    """The libpq URL of ``url`` without its password (``URL.set`` keeps it for ``None``)."""
    return URL.create("postgresql", url.username, None, url.host, url.port, url.database, url.query)


def _pgpass_escaped(password: str) -> str:
    return password.replace("\\", "\\\\").replace(":", "\\:")
