"""docker-compose.yml follows the Compose specification and the development conventions."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from .manifests import REPO, SERVICES

COMPOSE = REPO / "docker-compose.yml"


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text())


def test_compose_file_validates_against_the_compose_specification_schema():
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "check_jsonschema",
            "--builtin-schema",
            "vendor.compose-spec",
            str(COMPOSE),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def _one_shots(services: dict) -> set[str]:
    """Services some other service waits for with condition service_completed_successfully."""
    return {
        name
        for svc in services.values()
        for name, dep in (svc.get("depends_on") or {}).items()
        if isinstance(dep, dict) and dep.get("condition") == "service_completed_successfully"
    }


def test_every_long_running_service_has_a_healthcheck(compose):
    services = compose["services"]
    one_shots = _one_shots(services)
    assert one_shots == {"kafka-init", "kafka-topics", "dev-secrets"} | {
        f"{s}-migrate" for s in SERVICES
    }
    for name, svc in services.items():
        if name in one_shots:
            assert svc.get("restart", "no") == "no", name
            continue
        check = svc.get("healthcheck")
        assert check and not check.get("disable") and check.get("test"), (
            f"{name} has no healthcheck"
        )


def test_each_service_serves_after_its_migration_and_the_infrastructure(compose):
    services = compose["services"]
    for svc in SERVICES:
        serve, migrate = services[svc], services[f"{svc}-migrate"]
        assert serve["command"] == ["serve", svc]
        assert migrate["command"] == ["migrate", svc]
        assert (
            serve["depends_on"][f"{svc}-migrate"]["condition"] == "service_completed_successfully"
        )
        assert serve["depends_on"]["kafka-init"]["condition"] == "service_completed_successfully"
        assert serve["depends_on"]["kafka-topics"]["condition"] == (
            "service_completed_successfully"
        )
        assert serve["depends_on"]["postgres"]["condition"] == "service_healthy"
        url_file = serve["environment"][f"{svc.upper()}_DATABASE_URL_FILE"]
        assert url_file == migrate["environment"][f"{svc.upper()}_DATABASE_URL_FILE"]
        assert url_file == f"/run/secrets/csa/{svc}-database-url"
        for container in (serve, migrate):
            assert "csa-credentials:/run/secrets/csa:ro" in container["volumes"]
        assert serve["environment"]["KAFKA_BOOTSTRAP_SERVERS"] == "kafka:9094"
        assert serve["environment"]["IDENTITY_URL"] == "http://identity:8000"
    assert services["identity"]["environment"]["SMS_GATEWAY_URL"].startswith("http://sms-sink:")


def test_every_secret_is_a_file_the_dev_secrets_one_shot_makes(compose):
    """The services read each secret from a file of the volume csa-credentials (*_FILE);
    deploy/compose/dev-secrets.sh makes every one of those files, and no other secret."""
    script = (REPO / "deploy/compose/dev-secrets.sh").read_text()
    made = set(re.findall(r'write "\$dir/([a-z0-9$-]+)"', script))
    made = {name.replace("$service", svc) for name in made for svc in SERVICES}
    made |= {"identity-signing-key.pem", "identity-code-pepper"}  # the key script's
    read = set()
    for svc in compose["services"].values():
        for name, value in (svc.get("environment") or {}).items():
            if name.endswith("_FILE") and str(value).startswith("/run/secrets/csa/"):
                read.add(str(value).removeprefix("/run/secrets/csa/"))
    assert read and read <= made, read - made
    identity = compose["services"]["identity"]["environment"]
    for variable in (
        "IDENTITY_SIGNING_KEY_FILE",
        "IDENTITY_CODE_PEPPER_FILE",
        "SMS_GATEWAY_TOKEN_FILE",
    ):
        assert variable in identity, variable
    assert compose["services"]["postgres"]["environment"]["POSTGRES_HOST_AUTH_METHOD"] != "trust"
    for svc in SERVICES:
        env = compose["services"][svc]["environment"]
        assert env["KAFKA_SECURITY_PROTOCOL"] == "SASL_PLAINTEXT"
        assert env["KAFKA_SASL_MECHANISM"] == "SCRAM-SHA-512"
        assert env["KAFKA_SASL_PASSWORD_FILE"] == "/run/secrets/csa/kafka-password"
    kafka = compose["services"]["kafka"]["environment"]
    assert "SASL:SASL_PLAINTEXT" in kafka["KAFKA_LISTENER_SECURITY_PROTOCOL_MAP"]
    assert "SASL://kafka:9094" in kafka["KAFKA_ADVERTISED_LISTENERS"]


def test_the_dev_secrets_script_makes_the_files_once_with_their_owners(tmp_path):
    """Run as the one-shot runs it (root in compose: here the owners are only checked when
    this process may chown)."""
    env = {**os.environ, "KEYGEN": str(REPO / "deploy/compose/identity-keygen.py")}
    env["PATH"] = f"{Path(sys.executable).parent}:{env['PATH']}"
    script = str(REPO / "deploy/compose/dev-secrets.sh")
    if os.geteuid() != 0:
        pytest.skip("the script hands files to uid 10001 and 999: needs root")
    first = subprocess.run(["sh", script, str(tmp_path)], env=env, capture_output=True, text=True)
    assert first.returncode == 0, first.stderr
    url = (tmp_path / "billing-database-url").read_text().strip()
    password = (tmp_path / "billing-db-password").read_text().strip()
    assert url == f"postgresql+asyncpg://billing:{password}@postgres:5432/billing"
    assert (tmp_path / "billing-db-password").stat().st_uid == 999
    assert (tmp_path / "kafka-password").stat().st_uid == 10001
    assert all(path.stat().st_mode & 0o077 == 0 for path in tmp_path.iterdir())
    again = subprocess.run(["sh", script, str(tmp_path)], env=env, capture_output=True, text=True)
    assert again.returncode == 0 and "created" not in again.stdout
    assert (tmp_path / "billing-database-url").read_text().strip() == url


def test_third_party_images_are_pinned_to_a_version(compose):
    for name, svc in compose["services"].items():
        image = svc["image"]
        if "build" in svc:
            continue
        repo, _, tag = image.rpartition(":")
        assert repo and tag and tag != "latest" and re.search(r"\d", tag), f"{name}: {image}"
    assert compose["services"]["kafka"]["image"].startswith("apache/kafka:")
    assert compose["services"]["kafka"]["environment"]["KAFKA_PROCESS_ROLES"] == "broker,controller"


def test_the_postgres_init_script_creates_one_database_per_service(compose):
    mounts = compose["services"]["postgres"]["volumes"]
    script = next(m for m in mounts if "docker-entrypoint-initdb.d" in m).split(":")[0]
    text = (REPO / script).read_text()
    assert re.search(r"for service in identity membership attendance billing", text)
    assert "CREATE DATABASE ${service} OWNER ${service}" in text


SECRET_KEY = re.compile(r"(?i)(password|passwd|secret|token|api_?key|private_?key)")
CREDENTIAL_URL = re.compile(r"://[^/@\s:]+:[^/@\s]+@")


def _walk(node, path=""):
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _walk(value, f"{path}.{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _walk(value, f"{path}[{i}]")
    else:
        yield path, node


def test_no_secret_value_is_committed(compose):
    for path, value in _walk(compose):
        text = str(value)
        assert not CREDENTIAL_URL.search(text), f"{path} has credentials in a URL"
        assert "PRIVATE KEY-----" not in text, path
        key = path.rsplit(".", 1)[-1]
        if SECRET_KEY.search(key) and not key.endswith("_FILE"):
            assert re.fullmatch(r"\$\{[A-Z0-9_]+(:?\?[^}]*)?\}", text), f"{path} holds a literal"
    for path in (REPO / "deploy").rglob("*"):
        if path.is_file():
            assert "PRIVATE KEY-----" not in path.read_text(errors="replace"), path


def test_identity_mails_its_notices_to_the_compose_mail_catcher(compose):
    """The parents' e-mail notices reach mailpit in development: identity's SMTP_HOST is that
    service, which identity waits for, listening on SMTP_PORT."""
    identity = compose["services"]["identity"]
    host = identity["environment"]["SMTP_HOST"]
    catcher = compose["services"][host]
    assert catcher["image"].startswith("axllent/mailpit:")
    assert identity["depends_on"][host] == {"condition": "service_healthy"}
    listening = {port.rsplit(":", 1)[1] for port in catcher["ports"]}
    assert str(identity["environment"]["SMTP_PORT"]) in listening


def test_the_topics_are_made_by_csa_topics_after_the_kafka_user_before_any_service(compose):
    """One source of the topics' partitions and settings (`csa topics`), not the broker's
    defaults nor a second list in a shell script."""
    topics = compose["services"]["kafka-topics"]
    assert topics["command"][0] == "topics"
    assert topics["depends_on"]["kafka-init"]["condition"] == "service_completed_successfully"
    assert topics["environment"]["KAFKA_SASL_USERNAME"] == "csa"
    script = (REPO / "deploy/compose/kafka-topics.sh").read_text(encoding="utf-8")
    assert "--create" not in script
