"""``csa serve`` as a real process on a loopback port, for tests and benchmarks."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import httpx

from csa_shared.testing.broker import _die_with_parent, free_port


def cpu_seconds_of(pid: int) -> float:
    """User + system CPU time of process `pid` so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class Server:
    """One ``csa serve`` subprocess on a loopback port."""

    name: str
    port: int
    process: subprocess.Popen[bytes]
    log_path: Path
    log_file: IO[bytes]

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def cpu_seconds(self) -> float:
        """User + system CPU time of the server process so far (Linux /proc)."""
        return cpu_seconds_of(self.process.pid)

    def rss_bytes(self) -> int:
        """Resident set size of the server process (Linux /proc)."""
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
        raise RuntimeError(f"no VmRSS for {self.name}")

    def log_lines(self, level: str) -> list[str]:
        self.log_file.flush()
        text = self.log_path.read_text(errors="replace")
        return [line for line in text.splitlines() if f'"level": "{level}"' in line]

    def tail(self, chars: int = 3000) -> str:
        return self.log_path.read_text(errors="replace")[-chars:]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)  # uvicorn: graceful shutdown
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log_file.close()


async def start_server(
    name: str, env: dict[str, str], log_dir: Path, profile_dir: Path | None
) -> Server:
    command = [sys.executable, "-m", "csa", "serve", name]
    if profile_dir is not None:  # cProfile writes its file when uvicorn returns (SIGINT)
        profile = profile_dir.resolve() / f"{name}.prof"
        command[1:1] = ["-m", "cProfile", "-o", str(profile)]
    for attempt in range(3):  # the free port may be taken before uvicorn binds it
        port = free_port()
        log_path = log_dir / f"{name}-{attempt}.log"
        log_file = log_path.open("wb")
        process = subprocess.Popen(
            command,
            env={**env, "CSA_HTTP_PORT": str(port)},
            stdout=log_file, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            preexec_fn=_die_with_parent,
        )  # fmt: skip
        server = Server(name, port, process, log_path, log_file)
        if await _ready(server, timeout_s=60):
            return server
        server.stop()
    raise RuntimeError(f"{name} did not become ready: {server.tail()}")


async def _ready(server: Server, timeout_s: float) -> bool:
    deadline = time.monotonic() + timeout_s
    async with httpx.AsyncClient(base_url=server.base_url, timeout=5) as client:
        while time.monotonic() < deadline:
            if server.process.poll() is not None:
                return False
            with contextlib.suppress(httpx.HTTPError):
                if (await client.get("/readyz")).status_code == 200:
                    return True
            await asyncio.sleep(0.2)
    return False
