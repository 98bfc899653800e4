"""Per-service async database access and Alembic migrations."""

from csa_shared.db.engine import (
    WARM_EXECUTIONS,
    asyncpg_connection,
    create_engine,
    session_factory,
    warm_up_pool,
)
from csa_shared.db.migrations import upgrade_to_head

__all__ = [
    "WARM_EXECUTIONS",
    "asyncpg_connection",
    "create_engine",
    "session_factory",
    "upgrade_to_head",
    "warm_up_pool",
]
