"""Topic administration: create the topics that do not exist yet."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping
from typing import Any

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import for_code

_TOPIC_ALREADY_EXISTS = 36


async def ensure_topics(
    bootstrap: str,
    topics: Iterable[str],
    partitions: int = 3,
    *,
    replication_factor: int = 1,
    timeout_s: float = 10.0,
    security: Mapping[str, Any] | None = None,
) -> None:
    """Create the topics that do not exist yet (idempotent)."""
    wanted = list(dict.fromkeys(topics))
    admin = AIOKafkaAdminClient(
        bootstrap_servers=bootstrap, request_timeout_ms=int(timeout_s * 1000), **(security or {})
    )
    try:
        async with asyncio.timeout(timeout_s):
            await admin.start()
            existing = set(await admin.list_topics())
            missing = [t for t in wanted if t not in existing]
            if not missing:
                return
            response = await admin.create_topics(
                [NewTopic(t, partitions, replication_factor) for t in missing]
            )
        for topic, code, *_ in response.topic_errors:
            if code not in (0, _TOPIC_ALREADY_EXISTS):
                raise for_code(code)(f"creating topic {topic}")
    finally:
        await admin.close()
