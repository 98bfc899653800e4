"""The Kafka event bus (aiokafka): acked keyed publishes, commit-after-handle consumers.

* ``publish`` waits for the broker's acknowledgement (``acks="all"``) and raises
  ``BusUnavailable`` within ``publish_timeout_s`` when it does not come, so the outbox relay
  keeps the row and retries. The producer is started lazily and replaced after repeated
  failures, so one ``KafkaBus`` outlives a broker outage.
* Each ``subscribe`` gets its own consumer (own group, manual commits, earliest reset) and a
  task: a message's offset is committed only after its handler returned; a handler that
  raises is logged, its partition is rewound to that message and retried after a backoff.
  Nothing is skipped; ordering per key (one key, one partition) is kept. A handler with a
  ``handle_batch(messages)`` gets a fetch's messages at once, even one, every partition's
  in order (one offset commit after it returned True); when it declines or raises, each
  partition's at once, and then one by one.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.client import AIOKafkaClient, CoordinationType
from aiokafka.errors import KafkaError
from aiokafka.partitioner import DefaultPartitioner, murmur2
from aiokafka.protocol.group import LeaveGroupRequest

from csa_shared.bus.admin import ensure_topics
from csa_shared.bus.base import BusUnavailable, EventBus, Handler
from csa_shared.bus.batches import as_message, handled_at_once, handled_together, record_lag

__all__ = ["KafkaBus", "ensure_topics"]
log = logging.getLogger(__name__)

_BROKER_ERRORS = (KafkaError, OSError, TimeoutError)
#: messages one fetch hands a consumer at most (a batch handler's transaction stays small)
MAX_BATCH = 200


class _KeyPartitioner:
    """aiokafka's ``DefaultPartitioner`` (murmur2 of the key, as the Java client), with the
    hash memoised per key: the pure-Python murmur2 was a few microseconds per message."""

    def __init__(self) -> None:
        self._hash = functools.lru_cache(maxsize=1 << 16)(murmur2)

    def __call__(self, key: bytes | None, all_partitions: list[int], available: list[int]) -> int:
        if key is None:
            return int(DefaultPartitioner()(key, all_partitions, available))
        return all_partitions[(self._hash(key) & 0x7FFFFFFF) % len(all_partitions)]


@dataclass(slots=True)
class _Batch:
    """One record batch of ``publish_many``: the index of its first message, the builder,
    and once queued, the future of its acknowledgement."""

    first: int
    builder: Any
    future: asyncio.Future[Any] | None = None


def _consumed(future: asyncio.Future[Any]) -> asyncio.Future[Any]:
    """`future`, whose exception is read when it comes (even if nobody awaits it any more)."""
    future.add_done_callback(lambda f: f.cancelled() or f.exception())
    return future


def _succeeded(future: asyncio.Future[Any] | None) -> bool:
    return (
        future is not None
        and future.done()
        and not future.cancelled()
        and future.exception() is None
    )


@dataclass(frozen=True, slots=True)
class _Subscription:
    group: str
    topics: tuple[str, ...]
    handler: Handler


class KafkaBus(EventBus):
    """``EventBus`` over Kafka. ``enable_idempotence=False`` for brokers without
    InitProducerId (Tansu); session/heartbeat defaults suit a single local broker.
    ``security`` (``csa_shared.bus.security.client_security``) goes to every client."""

    def __init__(
        self,
        *,
        bootstrap_servers: str,
        client_id: str,
        enable_idempotence: bool = True,
        request_timeout_ms: int = 5000,
        publish_timeout_s: float | None = None,
        ping_timeout_s: float = 3.0,
        session_timeout_ms: int = 6000,
        heartbeat_interval_ms: int = 1000,
        max_poll_interval_ms: int = 300_000,
        retry_backoff_s: float = 1.0,
        shutdown_timeout_s: float = 3.0,
        recycle_producer_after: int = 3,
        topic_partitions: int | None = 3,
        fetch_max_wait_ms: int = 100,
        fetch_min_bytes: int = 1,
        max_batch_bytes: int = 256 * 1024,
        security: Mapping[str, Any] | None = None,
    ) -> None:
        self.bootstrap_servers = bootstrap_servers
        self.security: dict[str, Any] = dict(security or {})
        self.client_id = client_id
        self.enable_idempotence = enable_idempotence
        self._request_timeout_ms = request_timeout_ms
        self._publish_timeout_s = publish_timeout_s or request_timeout_ms / 1000 + 1.0
        self._ping_timeout_s = ping_timeout_s
        self._session_timeout_ms = session_timeout_ms
        self._heartbeat_interval_ms = heartbeat_interval_ms
        self._max_poll_interval_ms = max_poll_interval_ms
        self._retry_backoff_s = retry_backoff_s
        self._shutdown_timeout_s = shutdown_timeout_s
        self._recycle_producer_after = recycle_producer_after
        self._topic_partitions = topic_partitions
        # aiokafka's 500 ms default is a latency floor on brokers that hold every fetch that long
        self._fetch_max_wait_ms = fetch_max_wait_ms
        self._fetch_min_bytes = fetch_min_bytes  # > 1: a linger of up to fetch_max_wait_ms
        self._subscriptions: list[_Subscription] = []
        self._tasks: list[asyncio.Task[None]] = []
        self._running = False
        self._stopping = asyncio.Event()
        self._producer: AIOKafkaProducer | None = None
        self._producer_lock = asyncio.Lock()
        self._failures = 0
        self._retired: set[asyncio.Task[None]] = set()
        self._partitioner = _KeyPartitioner()
        self._max_batch_bytes = max_batch_bytes

    # -- lifecycle ----------------------------------------------------------------------

    def subscribe(self, *, group: str, topics: list[str], handler: Handler) -> None:
        if not topics:
            raise ValueError("subscribe() needs at least one topic")
        self._subscriptions.append(_Subscription(group, tuple(topics), handler))
        if self._running:  # already started: start this consumer now
            self._tasks.append(asyncio.create_task(self._run(self._subscriptions[-1])))

    async def start(self) -> None:
        if self._running:
            return
        self._running = True
        self._stopping = asyncio.Event()
        topics = {t for s in self._subscriptions for t in s.topics}
        if topics and self._topic_partitions:
            try:
                await ensure_topics(
                    self.bootstrap_servers, topics, self._topic_partitions,
                    timeout_s=self._publish_timeout_s, security=self.security,
                )  # fmt: skip
            except _BROKER_ERRORS:
                log.warning("could not ensure topics %s; consumers will retry", sorted(topics))
        try:
            await self._get_producer()
        except _BROKER_ERRORS:
            log.warning("broker %s unreachable at start; will retry", self.bootstrap_servers)
        self._tasks = [
            asyncio.create_task(self._run(s), name=f"kafka-consumer-{s.group}")
            for s in self._subscriptions
        ]

    async def stop(self) -> None:
        self._running = False
        self._stopping.set()
        tasks, self._tasks = self._tasks, []
        if tasks:
            _, pending = await asyncio.wait(tasks, timeout=self._shutdown_timeout_s)
            for task in pending:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
        async with self._producer_lock:
            producer, self._producer = self._producer, None
        if producer is not None:
            await _stop_quietly(producer, self._publish_timeout_s)
        if self._retired:
            await asyncio.gather(*self._retired, return_exceptions=True)

    # -- producing ----------------------------------------------------------------------

    async def _get_producer(self) -> AIOKafkaProducer:
        async with self._producer_lock:
            if self._producer is None:
                producer = AIOKafkaProducer(**self.producer_options())
                try:
                    await asyncio.wait_for(producer.start(), self._publish_timeout_s)
                except BaseException:
                    await _stop_quietly(producer, 1.0)
                    raise
                self._producer = producer
            return self._producer

    def producer_options(self) -> dict[str, Any]:
        """The keyword arguments of the producer (security settings included)."""
        return {
            "bootstrap_servers": self.bootstrap_servers,
            "client_id": self.client_id,
            "acks": "all",
            "enable_idempotence": self.enable_idempotence,
            "request_timeout_ms": self._request_timeout_ms,
            "retry_backoff_ms": 200,
            "partitioner": self._partitioner,
            "max_batch_size": self._max_batch_bytes,
            **self.security,
        }

    def consumer_options(self, group: str) -> dict[str, Any]:
        """The keyword arguments of a consumer of ``group`` (security settings included)."""
        return {
            "bootstrap_servers": self.bootstrap_servers,
            "client_id": self.client_id,
            "group_id": group,
            "enable_auto_commit": False,
            "auto_offset_reset": "earliest",
            "request_timeout_ms": max(self._request_timeout_ms, self._session_timeout_ms + 1000),
            "session_timeout_ms": self._session_timeout_ms,
            "heartbeat_interval_ms": self._heartbeat_interval_ms,
            "max_poll_interval_ms": self._max_poll_interval_ms,
            "fetch_max_wait_ms": self._fetch_max_wait_ms,
            "fetch_min_bytes": self._fetch_min_bytes,
            **self.security,
        }

    async def publish(self, topic: str, key: str, value: bytes) -> None:
        try:
            producer = await self._get_producer()
            await asyncio.wait_for(
                producer.send_and_wait(topic, value, key=key.encode()), self._publish_timeout_s
            )
        except _BROKER_ERRORS as exc:
            await self._failed()
            raise BusUnavailable(f"{topic}: not acknowledged by {self.bootstrap_servers}") from exc
        self._failures = 0

    async def publish_many(self, messages: Sequence[tuple[str, str, bytes]]) -> int:
        """Pack the messages into record batches per partition, in order, queue them, then
        wait for the acknowledgements; returns the acknowledged prefix.

        Each partition's batches are queued in order and the producer keeps one in flight
        per partition, so the order per key holds. A message is acknowledged with its batch;
        the count returned stops at the first message whose batch was not (a later message
        acknowledged after an earlier failure is sent again by the relay, and consumers'
        inboxes drop the copy). Batches are built with aiokafka's ``create_batch`` and
        ``send_batch``: no future and no partitioner call per message; partitions are the
        producer's own (``_KeyPartitioner``), so ``publish`` and this agree per key.
        """
        if not messages:
            return 0
        batches: list[_Batch] = []
        try:
            producer = await self._get_producer()
            await self._queue_batches(producer, messages, batches)
        except _BROKER_ERRORS as exc:
            if not any(b.future is not None for b in batches):
                await self._failed()
                raise BusUnavailable(f"not accepted by {self.bootstrap_servers}") from exc
        futures = [b.future for b in batches if b.future is not None]
        if futures:
            await asyncio.wait(futures, timeout=self._publish_timeout_s)
        acknowledged = min(
            (b.first for b in batches if not _succeeded(b.future)), default=len(messages)
        )
        if acknowledged < len(messages):
            await self._failed()
            if acknowledged == 0:
                raise BusUnavailable(f"not acknowledged by {self.bootstrap_servers}")
            return acknowledged
        self._failures = 0
        return acknowledged

    async def _queue_batches(
        self,
        producer: AIOKafkaProducer,
        messages: Sequence[tuple[str, str, bytes]],
        batches: list[_Batch],
    ) -> None:
        """Append each message to its partition's open batch; a full batch is queued and
        a new one opened; the open ones are queued at the end (all recorded in `batches`)."""
        partitions: dict[str, list[int]] = {}
        open_: dict[tuple[str, int], _Batch] = {}
        for index, (topic, key, value) in enumerate(messages):
            all_partitions = partitions.get(topic)
            if all_partitions is None:
                all_partitions = partitions[topic] = list(await producer.partitions_for(topic))
            key_bytes = key.encode()
            partition = self._partitioner(key_bytes, all_partitions, all_partitions)
            batch = open_.get((topic, partition))
            if (
                batch is None
                or batch.builder.append(timestamp=None, key=key_bytes, value=value) is None
            ):
                if batch is not None:  # full: queue it, open the next one
                    batch.future = _consumed(
                        await producer.send_batch(batch.builder, topic, partition=partition)
                    )
                batch = open_[(topic, partition)] = _Batch(index, producer.create_batch())
                batches.append(batch)
                batch.builder.append(timestamp=None, key=key_bytes, value=value)  # always fits
        for (topic, partition), batch in open_.items():
            batch.future = _consumed(
                await producer.send_batch(batch.builder, topic, partition=partition)
            )

    async def _failed(self) -> None:
        self._failures += 1
        if self._failures >= self._recycle_producer_after:
            await self._recycle_producer()

    async def _recycle_producer(self) -> None:
        """Drop the producer; the next publish builds a fresh one (new connections, new
        producer id). The old one is closed in the background: it may wait for its batches."""
        async with self._producer_lock:
            old, self._producer = self._producer, None
        self._failures = 0
        if old is not None:
            task = asyncio.create_task(_stop_quietly(old, self._publish_timeout_s))
            self._retired.add(task)
            task.add_done_callback(self._retired.discard)

    async def ping(self) -> bool:
        try:
            async with asyncio.timeout(self._ping_timeout_s):
                producer = await self._get_producer()
                await producer.client.fetch_all_metadata()
        except _BROKER_ERRORS:
            return False
        return True

    # -- consuming ----------------------------------------------------------------------

    async def _run(self, sub: _Subscription) -> None:
        while not self._stopping.is_set():
            consumer = AIOKafkaConsumer(*sub.topics, **self.consumer_options(sub.group))
            try:
                await consumer.start()
                await self._consume(consumer, sub)
            except Exception:
                log.exception("consumer %s %s failed; restarting", sub.group, sub.topics)
                await self._backoff()
            finally:
                await self._close_consumer(consumer, sub.group)

    async def _consume(self, consumer: AIOKafkaConsumer, sub: _Subscription) -> None:
        batch = getattr(sub.handler, "handle_batch", None)
        while not self._stopping.is_set():
            batches = await consumer.getmany(timeout_ms=500, max_records=MAX_BATCH)
            failed = False
            if batch is not None and len(batches) > 1:
                together = await handled_together(batch, sub.group, batches)
                if together is not None:  # one transaction, one offset commit
                    await self._commit(consumer, together, sub.group)
                    record_lag(consumer, sub.group, together)
                    continue
            for tp, records in batches.items():
                if self._stopping.is_set():
                    return
                messages = [as_message(record) for record in records]
                if batch is not None and await handled_at_once(batch, sub.group, tp, messages):
                    position = records[-1].offset + 1
                    await self._commit(consumer, {tp: position}, sub.group)
                else:
                    position, stopped = await self._one_by_one(consumer, sub, tp, messages)
                    failed = failed or stopped
                record_lag(consumer, sub.group, {tp: position})
            if failed:
                await self._backoff()

    async def _one_by_one(
        self, consumer: AIOKafkaConsumer, sub: _Subscription, tp: TopicPartition, messages: Any
    ) -> tuple[int, bool]:
        """Handle and commit each message in turn; the next position and whether a handler
        failed (its partition is then rewound to that message)."""
        position = messages[0].offset if messages else 0
        for message in messages:
            if self._stopping.is_set():
                return position, False
            try:
                await sub.handler(message)
            except Exception:
                log.exception(
                    "handler of %s failed on %s[%d]@%d; will retry",
                    sub.group, tp.topic, tp.partition, message.offset,
                )  # fmt: skip
                consumer.seek(tp, message.offset)
                return message.offset, True
            await self._commit(consumer, {tp: message.offset + 1}, sub.group)
            position = message.offset + 1
        return position, False

    async def _commit(
        self, consumer: AIOKafkaConsumer, positions: dict[TopicPartition, int], group: str
    ) -> None:
        try:
            await asyncio.wait_for(consumer.commit(positions), self._publish_timeout_s)
        except _BROKER_ERRORS:
            # The messages were handled; they come again if no later commit covers them.
            log.warning("offset commit %s %s failed", group, positions, exc_info=True)

    async def _backoff(self) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), self._retry_backoff_s)

    async def _close_consumer(self, consumer: AIOKafkaConsumer, group: str) -> None:
        # aiokafka only sends LeaveGroup when generation > 0, but Tansu numbers the first
        # generation 0: leave explicitly, or the next member waits out the session timeout.
        coordinator = getattr(consumer, "_coordinator", None)
        member_id = getattr(coordinator, "member_id", "")
        first_generation = getattr(coordinator, "generation", -1) == 0
        try:
            await consumer.stop()
        except _BROKER_ERRORS:
            log.warning("consumer %s did not stop cleanly", group, exc_info=True)
        if first_generation and member_id:
            await self._leave_group(group, member_id)

    async def _leave_group(self, group: str, member_id: str) -> None:
        client = AIOKafkaClient(
            bootstrap_servers=self.bootstrap_servers,
            client_id=self.client_id,
            request_timeout_ms=self._request_timeout_ms,
            **self.security,
        )
        try:
            async with asyncio.timeout(self._ping_timeout_s):
                await client.bootstrap()
                node = await client.coordinator_lookup(CoordinationType.GROUP, group)
                await client.send(node, LeaveGroupRequest(group, member_id))
        except _BROKER_ERRORS:
            log.info("LeaveGroup for %s failed; the session timeout will expire it", group)
        finally:
            await client.close()


async def _stop_quietly(producer: AIOKafkaProducer, timeout_s: float) -> None:
    try:
        await asyncio.wait_for(producer.stop(), timeout_s)
    except _BROKER_ERRORS:
        log.warning("producer did not stop cleanly", exc_info=True)
