"""Alembic environment of the identity service (driven by `csa migrate identity`)."""

from csa_identity.tables import metadata
from csa_shared.db.migrations import run_env

run_env(metadata)
