"""Alembic environment of the attendance service (driven by `csa migrate attendance`)."""

from csa_attendance.tables import metadata
from csa_shared.db.migrations import run_env

run_env(metadata)
