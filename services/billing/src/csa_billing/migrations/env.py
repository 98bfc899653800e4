"""Alembic environment of the billing service (driven by `csa migrate billing`)."""

from csa_billing.tables import metadata
from csa_shared.db.migrations import run_env

run_env(metadata)
