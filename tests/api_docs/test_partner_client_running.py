"""A partner's view against a running server: the attendance API as a provider system sees it.

``csa migrate attendance`` then ``csa serve attendance`` run as a real process (uvicorn on a
free loopback port, PostgreSQL). A client generated from the committed attendance document
(``partner.py``) walks the document's own examples: an agent registers the provider and the
education contract, the provider system posts a presence, posts it again (idempotent), and
reads it back; a presence overlapping it is refused with problem details.
"""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest

from csa.contracts.openapi import openapi_path
from csa_shared.testing.broker import free_port
from csa_shared.testing.tokens import TestTokens
from tests.api_docs.partner import generated_client

pytestmark = pytest.mark.postgres


def _example(schema: str) -> dict[str, Any]:
    document = json.loads(openapi_path("attendance").read_text(encoding="utf-8"))
    example: dict[str, Any] = document["components"]["schemas"][schema]["examples"][0]
    return example


@pytest.fixture(scope="module")
def partner(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    with generated_client("attendance", tmp_path_factory.mktemp("partner")) as package:
        yield package


@pytest.fixture
def server(tmp_path: Path, pg_database_url: Callable[[], str]) -> Iterator[tuple[str, TestTokens]]:
    tokens = TestTokens()
    (tmp_path / "jwks.json").write_text(json.dumps(tokens.jwks()), encoding="utf-8")
    port = free_port()
    env = {
        **os.environ,
        "CSA_VAR_DIR": str(tmp_path),
        "ATTENDANCE_DATABASE_URL": pg_database_url(),
        "CSA_HTTP_PORT": str(port),
        "CSA_LOG_LEVEL": "WARNING",
    }
    env.pop("KAFKA_BOOTSTRAP_SERVERS", None)
    csa = [sys.executable, "-m", "csa"]
    migrated = subprocess.run(
        [*csa, "migrate", "attendance"], env=env, capture_output=True, text=True, timeout=120
    )
    assert migrated.returncode == 0, migrated.stdout + migrated.stderr
    log = (tmp_path / "server.log").open("w")
    process = subprocess.Popen([*csa, "serve", "attendance"], env=env, stdout=log, stderr=log)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, (tmp_path / "server.log").read_text()
            try:
                if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "attendance did not become ready in 60 s"
            time.sleep(0.2)
        yield base, tokens
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


class _Api:
    """``api.<tag>.<operation>`` modules of the generated package, imported on first use."""

    def __init__(self, package: str, name: str = "api") -> None:
        self._path = f"{package}.{name}"

    def __getattr__(self, name: str) -> Any:
        module = importlib.import_module(f"{self._path}.{name}")
        return _Api(self._path, name) if hasattr(module, "__path__") else module


def _call(partner: ModuleType, base: str, token: str) -> Any:
    return partner.AuthenticatedClient(base_url=base, token=token, raise_on_unexpected_status=False)


def test_a_provider_system_posts_and_reads_a_presence_with_the_generated_client(
    partner: ModuleType, server: tuple[str, TestTokens]
) -> None:
    base, tokens = server
    models = importlib.import_module(f"{partner.__name__}.models")
    api = _Api(partner.__name__)
    agent = _call(partner, base, tokens.cae_agent("partner-agent"))
    provider_body = _example("ProviderIn")
    provider = api.registry.register_provider.sync_detailed(
        client=agent, body=models.ProviderIn.from_dict(provider_body)
    )
    assert provider.status_code == 201, provider.content
    contract = api.registry.start_contract.sync_detailed(
        client=agent, body=models.ContractIn.from_dict(_example("ContractIn"))
    )
    assert contract.status_code == 201, contract.content

    system = _call(partner, base, tokens.provider(provider_body["provider_id"]))
    presence = models.PresenceIn.from_dict(_example("PresenceIn"))
    post = api.presences.post_presence
    first = post.sync_detailed(client=system, body=presence)
    assert first.status_code == 201, first.content
    assert isinstance(first.parsed, models.PresenceOut)
    again = post.sync_detailed(client=system, body=presence)  # the same record id: a repeat
    assert again.status_code == 200, again.content
    assert again.parsed.id == first.parsed.id

    shown = api.presences.presences_show.sync_detailed(first.parsed.id, client=system)
    assert shown.status_code == 200, shown.content
    assert (shown.parsed.child_id, shown.parsed.start.isoformat()) == (
        "child-42",
        "2025-03-03T08:00:00",
    )

    listed = api.presences.list_presences.sync_detailed(client=system, month="2025-03", limit=1)
    assert listed.status_code == 200, listed.content
    assert isinstance(listed.parsed, models.PresencePage)
    assert [p.id for p in listed.parsed.items] == [first.parsed.id]
    assert listed.parsed.next_cursor is None  # one presence: one page
    garbled = api.presences.list_presences.sync_detailed(client=system, cursor="garbled")
    assert garbled.status_code == 422, garbled.content

    overlapping = models.PresenceIn.from_dict(
        {
            **_example("PresenceIn"),
            "record_id": "other",
            "start": "2025-03-03T16:00:00",
            "end": "2025-03-03T18:00:00",
        }
    )
    refused = post.sync_detailed(client=system, body=overlapping)
    assert refused.status_code == 422, refused.content
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert isinstance(refused.parsed, models.Problem)
