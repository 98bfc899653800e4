"""The platform as production runs it, on day one.

Every service is its own ``csa serve`` process (no ``CSA_DEV_MODE``) on its own PostgreSQL
database and the broker, identity twice on one database (two replicas behind one Service).
The secrets are made with the command docs/DEPLOY.md gives (the key script) and
reach the processes as files named by ``*_FILE`` variables, like mounted Kubernetes Secrets;
the SMS gateway is a local HTTP server that wants the bearer token. The other services
verify identity's tokens with its JWKS over HTTP (``IDENTITY_URL``).

A commune agent files and signs a contract in membership; identity issues the myCard from
membership's event; a registration started on one identity replica is confirmed on the
other; an activation code one replica hashed (with its pepper) is accepted by the other,
which fails when the replicas' peppers differ; the SMS cap (3 per number per 10 minutes)
holds across both replicas, which count in one database.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import subprocess
import sys
import threading
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pyotp
import pytest

from csa.contracts.openapi import openapi_path
from csa_shared.bus.kafka import ensure_topics
from csa_shared.events import TOPICS
from csa_shared.testing.polling import eventually
from csa_shared.testing.postgres import PostgresDatabases
from csa_shared.testing.servers import Server, start_server

from .manifests import SERVICES, documented_key_commands

pytestmark = [pytest.mark.postgres, pytest.mark.kafka]

ESCH = "Esch-sur-Alzette"
AGENT_PASSWORD = "violet-canal-ribbon-77"
PARENT_PASSWORD = "lilac-harbour-tandem-42"
NEW_PASSWORD = "amber-quarry-lantern-58"
MOBILE = "+352 621 555 010"
GATEWAY_TOKEN = "sms-provider-token-7f3a"


def _documented_application() -> dict[str, Any]:
    """The example of ``ApplicationIn`` in membership's committed OpenAPI document (a child
    of Esch-sur-Alzette), as a partner would send it."""
    document = json.loads(openapi_path("membership").read_text(encoding="utf-8"))
    example: dict[str, Any] = document["components"]["schemas"]["ApplicationIn"]["examples"][0]
    assert example["child_address"]["commune"] == ESCH
    return example


class SmsGateway:
    """The SMS provider: takes JSON posts with the bearer token, keeps the messages."""

    def __init__(self) -> None:
        self.messages: list[dict[str, Any]] = []
        self.authorizations: list[str | None] = []
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                gateway.authorizations.append(self.headers.get("Authorization"))
                gateway.messages.append(
                    json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                )
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                return None

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1/messages"

    def code(self, index: int = -1) -> str:
        found = re.search(r"\b(\d{6})\b", self.messages[index]["text"])
        assert found, self.messages[index]
        return found.group(1)


@pytest.fixture
def sms_gateway() -> Iterator[SmsGateway]:
    gateway = SmsGateway()
    thread = threading.Thread(target=gateway.server.serve_forever, daemon=True)
    thread.start()
    yield gateway
    gateway.server.shutdown()
    gateway.server.server_close()


@dataclass
class Platform:
    identity: tuple[Server, Server]
    membership: Server
    attendance: Server
    billing: Server
    identity_database: str


def _secret_file(folder: Path, name: str, value: str) -> str:
    path = folder / name
    path.write_text(value + "\n", encoding="utf-8")
    path.chmod(0o400)
    return str(path)


def _production_environment(
    secrets: Path, databases: dict[str, str], bootstrap: str, idempotence: bool, gateway: str
) -> dict[str, str]:
    """What a pod gets: plain settings, and every secret as a file its ``*_FILE`` names."""
    script, _ = documented_key_commands()
    made = subprocess.run(script, cwd=secrets, capture_output=True, text=True, timeout=60)
    assert made.returncode == 0, made.stderr
    inherited = ("CSA_", "KAFKA_", "IDENTITY_", "SMS_", "BILLING_", "MEMBERSHIP_", "ATTENDANCE_")
    env = {k: v for k, v in os.environ.items() if not k.startswith(inherited)}
    env |= {
        "CSA_HTTP_HOST": "127.0.0.1",
        "CSA_LOG_LEVEL": "WARNING",
        "CSA_VAR_DIR": str(secrets / "var"),
        "CSA_OUTBOX_POLL_SECONDS": "0.1",
        "KAFKA_BOOTSTRAP_SERVERS": bootstrap,
        "KAFKA_ENABLE_IDEMPOTENCE": str(idempotence).lower(),
        "IDENTITY_SIGNING_KEY_FILE": str(secrets / "signing-key.pem"),
        "IDENTITY_CODE_PEPPER_FILE": str(secrets / "code-pepper"),
        "SMS_GATEWAY_URL": gateway,
        "SMS_GATEWAY_TOKEN_FILE": _secret_file(secrets, "sms-gateway-token", GATEWAY_TOKEN),
    }
    for service, url in databases.items():
        name = f"{service.upper()}_DATABASE_URL_FILE"
        env[name] = _secret_file(secrets, f"{service}-database-url", url)
    return env


@pytest.fixture
async def platform(
    kafka_broker: Any,
    postgres_databases: PostgresDatabases,
    sms_gateway: SmsGateway,
    tmp_path: Path,
) -> AsyncIterator[Platform]:
    await ensure_topics(kafka_broker.bootstrap, list(TOPICS.values()))
    databases = {service: postgres_databases.create().url for service in SERVICES}
    env = _production_environment(
        tmp_path,
        databases,
        kafka_broker.bootstrap,
        kafka_broker.enable_idempotence,
        sms_gateway.url,
    )
    migrated = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "csa", "migrate", "all"],
        env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert migrated.returncode == 0, migrated.stdout + migrated.stderr
    servers: list[Server] = []

    async def serve(name: str, log_dir: str, environment: dict[str, str]) -> Server:
        folder = tmp_path / log_dir
        folder.mkdir()
        server = await start_server(name, environment, folder, None)
        servers.append(server)
        return server

    try:
        identity = await asyncio.gather(
            serve("identity", "identity-a", env), serve("identity", "identity-b", env)
        )
        env["IDENTITY_URL"] = identity[0].base_url
        others = await asyncio.gather(*(serve(name, name, env) for name in SERVICES[1:]))
        yield Platform((identity[0], identity[1]), *others, identity_database=databases["identity"])
    finally:
        for server in servers:
            server.stop()


async def _agent_token(platform: Platform, api: httpx.AsyncClient) -> str:
    """Bootstrap a commune agent with the CLI, as an operator does, and log them in."""
    created = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "csa", "identity", "create-agent", "agent-esch", "--kind",
         "commune", "--commune", ESCH, "--password", AGENT_PASSWORD],
        env=_cli_env(platform), capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert created.returncode == 0, created.stdout + created.stderr
    uri = re.search(r"otpauth://\S+", created.stdout)
    assert uri, created.stdout
    body = {
        "agent_id": "agent-esch",
        "password": AGENT_PASSWORD,
        "totp": pyotp.parse_uri(uri.group(0)).now(),
    }
    login = await api.post(f"{platform.identity[1].base_url}/v1/agents/login", json=body)
    assert login.status_code == 200, login.text
    token: str = login.json()["access_token"]
    return token


def _cli_env(platform: Platform) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("IDENTITY_URL", None)
    env["IDENTITY_DATABASE_URL"] = platform.identity_database
    env["CSA_VAR_DIR"] = str(platform.identity[0].log_path.parent)
    return env


async def _letter(platform: Platform, kind: str) -> str:
    """The body of the letter of ``kind`` identity spooled for the print shop."""
    connection = await asyncpg.connect(platform.identity_database)
    try:

        async def letter() -> str | None:
            rows = await connection.fetch("SELECT body FROM letters WHERE kind = $1", kind)
            return str(rows[0]["body"]) if rows else None

        body: str = await eventually(letter, timeout=20)
        return body
    finally:
        await connection.close()


def _code_on(letter: str) -> str:
    """A linking or activation code: 4 groups of 4 symbols."""
    found = re.search(r"[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4}", letter)
    assert found, letter
    return found.group(0)


async def test_a_registration_crosses_identity_replicas_and_the_sms_cap_holds_on_both(
    platform: Platform, sms_gateway: SmsGateway
) -> None:
    replica_a, replica_b = (server.base_url for server in platform.identity)
    async with httpx.AsyncClient(timeout=30) as api:
        for server in (
            *platform.identity,
            platform.membership,
            platform.attendance,
            platform.billing,
        ):
            ready = (await api.get(f"{server.base_url}/readyz")).json()
            assert ready["status"] == "ready", (server.name, ready)
        assert ready["checks"] == {"database": True, "bus": True, "token_keys": True}
        identity_ready = (await api.get(f"{replica_a}/readyz")).json()["checks"]
        assert identity_ready["signing_key"] is True
        for replica in (replica_a, replica_b):  # production: no dev endpoints
            assert (await api.get(f"{replica}/v1/dev/sms")).status_code == 404

        agent = {"Authorization": f"Bearer {await _agent_token(platform, api)}"}
        membership = platform.membership.base_url
        filed = await api.post(
            f"{membership}/v1/contracts", json=_documented_application(), headers=agent
        )
        assert filed.status_code == 201, filed.text
        contract = filed.json()["contract_id"]
        signed = await api.post(
            f"{membership}/v1/contracts/{contract}/signature", json={}, headers=agent
        )
        assert signed.status_code == 200, signed.text
        card = await _letter(platform, "mycard")
        iam = re.search(r"\b[A-Z][a-z]{2}[A-Z][a-z]\d{3,5}\b", card)
        assert iam, card
        iam_code = iam.group(0)

        started = await api.post(
            f"{replica_a}/v1/registrations",
            json={
                "iam_code": iam_code,
                "linking_code": _code_on(card),
                "password": PARENT_PASSWORD,
                "mobile": MOBILE,
            },
        )
        assert started.status_code == 202, started.text
        assert sms_gateway.authorizations == [f"Bearer {GATEWAY_TOKEN}"]
        confirmed = await api.post(
            f"{replica_b}/v1/registrations/confirm",
            json={"flow_id": started.json()["flow_id"], "code": sms_gateway.code()},
        )
        assert confirmed.status_code == 201, confirmed.text

        # An activation code hashed by replica A (its pepper) is accepted by replica B.
        requested = await api.post(f"{replica_a}/v1/activation-codes", json={"iam_code": iam_code})
        assert requested.status_code == 202, requested.text
        activation = {
            "iam_code": iam_code,
            "activation_code": _code_on(await _letter(platform, "activation")),
            "new_password": NEW_PASSWORD,
            "mobile": MOBILE,
        }
        used = await api.post(f"{replica_b}/v1/activation-codes/use", json=activation)
        assert used.status_code == 202, used.text
        activated = await api.post(
            f"{replica_a}/v1/activation-codes/confirm",
            json={"flow_id": used.json()["flow_id"], "code": sms_gateway.code()},
        )
        assert activated.status_code == 204, activated.text

        login = {"iam_code": iam_code, "password": NEW_PASSWORD}
        answers = [
            await api.post(f"{replica}/v1/login", json=login) for replica in (replica_b, replica_a)
        ]
    assert answers[0].status_code == 202, answers[0].text
    assert (answers[1].status_code, answers[1].json()["error"]) == (429, "sms.rate_limited")
    # registration, activation, login: three SMS to one number through two replicas
    assert len(sms_gateway.messages) == 3
    assert {m["to"] for m in sms_gateway.messages} == {"+352621555010"}
    assert set(sms_gateway.authorizations) == {f"Bearer {GATEWAY_TOKEN}"}
