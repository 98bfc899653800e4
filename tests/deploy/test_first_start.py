"""First start in a cluster: the commands docs/DEPLOY.md gives ("8. First agents and provider
clients"), run as `kubectl exec` runs them in an identity pod (production settings, secrets as
files, PostgreSQL, the password on stdin), then the agent logs in and the client gets a token."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import httpx
import pyotp
import pytest

from csa.services import definition
from csa_shared.settings import Settings

from .manifests import REPO, documented_key_commands

pytestmark = pytest.mark.postgres
PASSWORD = "quartz-harbour-lantern-42"


def documented_first_start() -> list[list[str]]:
    """The `csa ...` part of each `kubectl ... exec ... deploy/csa-identity -- csa ...` line."""
    guide = (REPO / "docs" / "DEPLOY.md").read_text(encoding="utf-8")
    section = guide.split("### 8. First agents and provider clients", 1)[1].split("\n### ", 1)[0]
    lines = re.findall(r"^kubectl -n csa exec -it deploy/csa-identity -- (csa .+)$", section, re.M)
    assert len(lines) == 2, "docs/DEPLOY.md no longer shows the first agent and client"
    return [shlex.split(line) for line in lines]


def csa(args: list[str], env: dict[str, str], stdin: str = "") -> str:
    """`csa` as the image runs it; fails the test with its output if it fails."""
    command = [sys.executable, "-m", "csa", *args[1:]]
    done = subprocess.run(
        command, env=env, input=stdin, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, f"{args}: {done.stdout}{done.stderr}"
    return done.stdout


async def test_documented_first_agent_and_client_work_against_production_settings(
    tmp_path: Path, pg_database_url: Callable[[], str], monkeypatch: pytest.MonkeyPatch
) -> None:
    made = subprocess.run(documented_key_commands()[0], cwd=tmp_path, capture_output=True)
    assert made.returncode == 0, made.stderr
    pod_env = {
        "IDENTITY_DATABASE_URL": pg_database_url(),
        "IDENTITY_SIGNING_KEY_FILE": str(tmp_path / "signing-key.pem"),
        "IDENTITY_CODE_PEPPER_FILE": str(tmp_path / "code-pepper"),
        "CSA_VAR_DIR": str(tmp_path / "var"),
    }
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("CSA_", "IDENTITY_"))},
        **pod_env,
    }
    csa(["csa", "migrate", "identity"], env)  # the migration Job
    agent_command, client_command = documented_first_start()

    agent_out = csa(agent_command, env, stdin=f"{PASSWORD}\n{PASSWORD}\n")
    client_out = csa(client_command, env)

    uri = re.search(r"otpauth://\S+", agent_out)
    client = re.search(r"client_id: (\S+)\nclient_secret \(shown once\): (\S+)", client_out)
    assert uri and client, agent_out + client_out
    agent_id = agent_command[agent_command.index("create-agent") + 1]
    for name, value in pod_env.items():  # the pod's environment, *_FILE read as the pod does
        monkeypatch.setenv(name, value)
    settings = Settings()
    runtime = definition("identity").build_runtime(settings, subscribe=False)
    app = definition("identity").create_app(runtime, manage_lifecycle=False)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://identity"
    ) as api:
        login = await api.post(
            "/v1/agents/login",
            json={
                "agent_id": agent_id,
                "password": PASSWORD,
                "totp": pyotp.parse_uri(uri.group(0)).now(),
            },
        )
        token = await api.post(
            "/v1/oauth/token",
            data={
                "grant_type": "client_credentials",
                "client_id": client.group(1),
                "client_secret": client.group(2),
            },
        )
    await runtime.engine.dispose()
    assert login.status_code == 200, login.text
    assert token.status_code == 200, token.text
