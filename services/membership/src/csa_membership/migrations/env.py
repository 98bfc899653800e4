"""Alembic environment of the membership service (driven by `csa migrate membership`)."""

from csa_membership.tables import metadata
from csa_shared.db.migrations import run_env

run_env(metadata)
