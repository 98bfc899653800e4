"""Portal benchmark: the invoice page with 50 parents at once (issue 21: p95 < 150 ms).

    .venv/bin/python bench/bench_portal.py [--parents 50] [--requests 20] [--think-ms 1000]

The services: ``csa run`` on a free loopback port (the embedded platform of ``make run``: one
process, SQLite), with March 2025 declared, corrected and closed and the demo parent's account
created by ``scripts/walkthrough.py``'s own steps. The portal: a server process of its own
(this script with ``--portal``: the app of ``python -m csa_portal``, one uvicorn worker), which
calls the services' public APIs over loopback HTTP with the parent's token, as in production.

The parents' sessions are made in the portal process at its start, each holding the parent's
access token from one SMS login (identity sends an account at most 3 SMS in 10 minutes, so 50
logins through the form are not possible); each parent sends its own session cookie. Every
parent requests the page, waits for the answer, reads it for about ``--think-ms`` (random,
0.5 to 1.5 times), requests it again, ``--requests`` times; all parents at once. Latency is
the client's, from request to the whole body. ``--think-ms 0`` is a stress test instead: 50
requests always in flight, so a page waits for the 49 others (latency ≈ 50 × CPU a page).

Baseline, same run, same parents: the login page (a template rendered, no service called), so
the invoice page's figure shows what its call to billing and its larger template cost. The
"this month so far" page (billing's current usage, priced on read) is measured the same way.
Errors (exit 1): an answer that is not 200 or lacks its page's mark, a transport error.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import httpx

from csa_shared.testing.broker import _die_with_parent, free_port
from csa_shared.testing.servers import Server

REPO = Path(__file__).resolve().parents[1]
GOAL_P95_MS = 150.0
COOKIE = "csa_portal_session"


# -- the portal's own process: sessions made at start, then uvicorn -------------------------


def serve_portal(port: int, services: str, sessions_file: Path) -> None:
    """The portal app alone (as ``python -m csa_portal``) with the parents' sessions, whose
    ids it writes to ``sessions_file`` before it serves."""
    import uvicorn
    from fastapi import FastAPI

    from csa_portal.app import create_portal_app
    from csa_portal.settings import PortalSettings
    from csa_shared.settings import Settings

    wanted = json.loads(sessions_file.read_text())
    urls = {f"{name}_url": f"{services}/{name}" for name in wanted["services"]}
    portal = create_portal_app(Settings(), PortalSettings(**urls))
    store = portal.state.portal.sessions
    ids = []
    for _ in range(wanted["parents"]):
        session = store.new()
        session.access_token = wanted["access_token"]
        ids.append(session.id)
    sessions_file.write_text(json.dumps({"ids": ids}))
    root = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)

    @root.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    root.mount("/portal", portal)
    uvicorn.run(
        root, host="127.0.0.1", port=port, log_level="warning", log_config=None,
        timeout_keep_alive=30,  # a parent reading a page keeps its connection
    )  # fmt: skip


# -- processes ----------------------------------------------------------------------------


def _spawn(name: str, command: list[str], env: dict[str, str], work: Path) -> Server:
    port = free_port()
    log_path = work / f"{name}.log"
    log_file = log_path.open("wb")
    process = subprocess.Popen(
        [*command, "--port", str(port)] if name == "portal" else command,
        env={**env, "CSA_HTTP_PORT": str(port)},
        stdout=log_file, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        preexec_fn=_die_with_parent,
    )  # fmt: skip
    server = Server(name, port, process, log_path, log_file)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} stopped:\n{server.tail()}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{server.base_url}/healthz", timeout=2).status_code == 200:
                return server
        time.sleep(0.2)
    server.stop()
    raise RuntimeError(f"{name} did not become ready:\n{server.tail()}")


def _walkthrough() -> ModuleType:
    """scripts/walkthrough.py: March declared, corrected and closed, the parent's account."""
    sys.path.insert(0, str(REPO / "scripts"))
    import walkthrough

    return walkthrough


@contextlib.contextmanager
def platform(parents: int) -> Iterator[tuple[Server, Server, str]]:
    """``csa run`` with March closed, and the portal process with ``parents`` sessions:
    (services, portal, the March invoice's id)."""
    with tempfile.TemporaryDirectory(prefix="csa-bench-portal-") as tmp:
        work = Path(tmp)
        drop = {"KAFKA_BOOTSTRAP_SERVERS", "IDENTITY_URL", "SMS_GATEWAY_URL", "CSA_DEMO_DATA"}
        env = {
            k: v for k, v in os.environ.items() if not k.endswith("_DATABASE_URL") and k not in drop
        }
        env |= {"CSA_VAR_DIR": str(work / "var"), "CSA_HTTP_HOST": "127.0.0.1"}
        env |= {"CSA_LOG_LEVEL": "WARNING", "CSA_OUTBOX_POLL_SECONDS": "0.05"}
        services = _spawn("csa-run", [sys.executable, "-m", "csa", "run"], env, work)
        started: list[Server] = [services]
        try:
            w = _walkthrough()
            run_env = {**env, "CSA_HTTP_PORT": str(services.port)}
            result = w.walkthrough(
                services.base_url, env=run_env, pdf_path=work / "march.pdf", say=lambda *_: None
            )
            with httpx.Client(base_url=services.base_url, timeout=30) as http:
                token = w.parent_login(http, w.mycard_codes(http)[0])
            sessions = work / "sessions.json"
            sessions.write_text(
                json.dumps(
                    {
                        "parents": parents,
                        "access_token": token,
                        "services": ["identity", "membership", "attendance", "billing"],
                    }
                )
            )
            command = [sys.executable, __file__, "--portal", "--services", services.base_url]
            portal = _spawn("portal", [*command, "--sessions", str(sessions)], env, work)
            started.append(portal)
            yield services, portal, str(result.invoice["id"])
        finally:
            for server in reversed(started):
                server.stop()


# -- the load -----------------------------------------------------------------------------


async def measure(
    portal: Server, ids: list[str], path: str, mark: str, requests: int, think_ms: float
) -> tuple[list[float], list[str]]:
    """Every parent requests ``path`` ``requests`` times in a row, pausing a random 0.5 to 1.5
    times ``think_ms`` after each answer (reading it), all parents at once: each answer's
    latency in ms, and what was wrong with the wrong ones."""
    limits = httpx.Limits(max_connections=len(ids) + 10, max_keepalive_connections=len(ids) + 10)
    latencies: list[float] = []
    errors: list[str] = []
    pauses = random.Random(len(ids))

    async def parent(client: httpx.AsyncClient, session: str) -> None:
        headers = {"Cookie": f"{COOKIE}={session}", "Accept-Language": "en"}
        for _ in range(requests):
            started = time.perf_counter()
            try:
                response = await client.get(path, headers=headers)
                if response.status_code != 200 or mark not in response.text:
                    errors.append(f"{response.status_code} {response.text[:200]!r}")
            except httpx.HTTPError as exc:
                errors.append(repr(exc))
            latencies.append((time.perf_counter() - started) * 1000)
            await asyncio.sleep(think_ms / 1000 * pauses.uniform(0.5, 1.5))

    async with httpx.AsyncClient(base_url=portal.base_url, timeout=60, limits=limits) as client:
        await asyncio.gather(*(parent(client, s) for s in ids))
    return latencies, errors


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))]


def line(label: str, values: list[float], note: str) -> str:
    p50, p95, p99 = (percentile(values, q) for q in (50, 95, 99))
    return (
        f"{label:<14} p50 {p50:7.1f} ms   p95 {p95:7.1f} ms   p99 {p99:7.1f} ms   "
        f"mean {statistics.fmean(values):6.1f} ms (n={len(values)})  {note}"
    )


async def bench(args: argparse.Namespace) -> int:
    with platform(args.parents) as (services, portal, invoice_id):
        ids = json.loads(Path(portal.log_path.parent / "sessions.json").read_text())["ids"]
        pages = {
            "login page": ("/portal/login", 'name="csrf_token"'),
            "invoice page": (f"/portal/invoices/{invoice_id}", 'id="parent-total"'),
            "this month": ("/portal/usage", 'class="usage"'),
        }
        for path, mark in pages.values():  # warm-up: imports, templates, connections
            await measure(portal, ids, path, mark, 2, 0)
        results, errors, cpu = {}, [], {}
        for label, (path, mark) in pages.items():
            before = (portal.cpu_seconds(), services.cpu_seconds())
            results[label], wrong = await measure(
                portal, ids, path, mark, args.requests, args.think_ms
            )
            after = (portal.cpu_seconds(), services.cpu_seconds())
            n = len(results[label])
            cpu[label] = tuple((a - b) / n * 1000 for a, b in zip(after, before, strict=True))
            errors += wrong
    invoice_p95 = percentile(results["invoice page"], 95)
    met = "met" if invoice_p95 < GOAL_P95_MS else "NOT met"
    print(
        f"setup          portal: its own process (uvicorn, 1 worker) → `csa run` services "
        f"(SQLite) on 127.0.0.1; {args.parents} parents at once, {args.requests} pages each, "
        f"a pause of ~{args.think_ms:.0f} ms after each; load average at the end "
        f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    )
    print(line("login page", results["login page"], "baseline: a template, no service call"))
    print(line("invoice page", results["invoice page"], "GET /billing/v1/invoices/{id} + lines"))
    print(line("this month", results["this month"], "GET /billing/v1/usage (priced on read)"))
    for label, (portal_ms, services_ms) in cpu.items():
        print(f"CPU {label:<10} portal {portal_ms:5.1f} ms, services {services_ms:5.1f} ms a page")
    print(f"errors         {len(errors)}" + "".join(f"\n  {e}" for e in errors[:5]))
    print(f"goal invoice page p95 < {GOAL_P95_MS:.0f} ms: {met} ({invoice_p95:.1f} ms)")
    return 1 if errors else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--parents", type=int, default=50)
    parser.add_argument("--requests", type=int, default=20, help="per parent and page")
    parser.add_argument(
        "--think-ms",
        type=float,
        default=1000.0,
        help="a parent's pause after a page, reading it (0: back-to-back, a stress test)",
    )
    parser.add_argument("--portal", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--services", help=argparse.SUPPRESS)
    parser.add_argument("--sessions", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.portal:
        serve_portal(args.port, args.services, args.sessions)
        return 0
    return asyncio.run(bench(args))


if __name__ == "__main__":
    raise SystemExit(main())
