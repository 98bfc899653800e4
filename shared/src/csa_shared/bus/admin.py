"""Topic administration: create the topics that do not exist yet.

``ensure_event_topics`` makes every event topic of the platform (``csa topics``), so no
producer started first gets a topic with the broker's defaults; Strimzi's KafkaTopics stay
the production source (a topic that exists is left as it is)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping
from typing import Any

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import for_code

from csa_shared.events import TOPICS

_TOPIC_ALREADY_EXISTS = 36

# The settings of every event topic (as deploy/k8s/base/common/kafkatopics.yaml): events are
# kept 30 days, deleted after, never compacted (a key's events are all needed, in order).
EVENT_TOPIC_CONFIG = {"cleanup.policy": "delete", "retention.ms": str(30 * 24 * 3600 * 1000)}


async def ensure_event_topics(
    bootstrap: str,
    *,
    partitions: int = 3,
    replication_factor: int = 1,
    timeout_s: float = 10.0,
    security: Mapping[str, Any] | None = None,
) -> None:
    """Create every event topic that does not exist yet (idempotent), with ``partitions``
    partitions, ``replication_factor`` replicas (``min.insync.replicas`` one fewer when
    replicated) and ``EVENT_TOPIC_CONFIG``."""
    config = dict(EVENT_TOPIC_CONFIG)
    if replication_factor > 1:
        config["min.insync.replicas"] = str(replication_factor - 1)
    await ensure_topics(
        bootstrap, TOPICS.values(), partitions, replication_factor=replication_factor,
        timeout_s=timeout_s, security=security, config=config,
    )  # fmt: skip


async def ensure_topics(
    bootstrap: str,
    topics: Iterable[str],
    partitions: int = 3,
    *,
    replication_factor: int = 1,
    timeout_s: float = 10.0,
    security: Mapping[str, Any] | None = None,
    config: Mapping[str, str] | None = None,
) -> None:
    """Create the topics that do not exist yet (idempotent), with topic settings `config`."""
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
                [
                    NewTopic(t, partitions, replication_factor, topic_configs=dict(config or {}))
                    for t in missing
                ]
            )
        for topic, code, *_ in response.topic_errors:
            if code not in (0, _TOPIC_ALREADY_EXISTS):
                raise for_code(code)(f"creating topic {topic}")
    finally:
        await admin.close()
