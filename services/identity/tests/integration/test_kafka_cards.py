"""Over the real broker: membership's child.registered reaches identity and issues a card."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from csa_identity.app import definition
from csa_identity.tables import cards
from csa_shared.bus.kafka import ensure_topics
from csa_shared.events import TOPICS
from csa_shared.settings import Settings

from .conftest import child_registered

pytestmark = pytest.mark.postgres


async def test_child_registered_on_kafka_issues_a_card(
    kafka_broker: Any, pg_database_url: Callable[[], str], tmp_path: Path
) -> None:
    await ensure_topics(kafka_broker.bootstrap, list(TOPICS.values()))
    settings = Settings(
        KAFKA_BOOTSTRAP_SERVERS=kafka_broker.bootstrap,
        KAFKA_ENABLE_IDEMPOTENCE=kafka_broker.enable_idempotence,
        IDENTITY_DATABASE_URL=pg_database_url(),
        CSA_VAR_DIR=str(tmp_path),
        CSA_OUTBOX_POLL_SECONDS=0.05,
    )
    runtime = definition.build_runtime(settings)
    await runtime.start(migrate=True)
    try:
        await runtime.bus.publish(
            "csa.membership.events", "child-k", child_registered("child-k", surname="Kafka")
        )
        deadline = time.monotonic() + 30
        iam_code = None
        while iam_code is None:
            async with runtime.sessions() as session:
                iam_code = await session.scalar(
                    select(cards.c.iam_code).where(cards.c.child_id == "child-k")
                )
            if iam_code is None:
                assert time.monotonic() < deadline, "no card within 30 s"
                await asyncio.sleep(0.1)
        assert iam_code.startswith("KafMa")
    finally:
        await runtime.stop()
