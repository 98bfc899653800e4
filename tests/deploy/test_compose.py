"""docker-compose.yml follows the Compose specification and the development conventions."""

from __future__ import annotations

import re
import subprocess
import sys

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
    assert one_shots == {"kafka-init", "identity-keygen"} | {f"{s}-migrate" for s in SERVICES}
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
        assert serve["depends_on"]["postgres"]["condition"] == "service_healthy"
        url = serve["environment"][f"{svc.upper()}_DATABASE_URL"]
        assert url == migrate["environment"][f"{svc.upper()}_DATABASE_URL"]
        assert url.startswith("postgresql+asyncpg://") and url.endswith(f"/{svc}")
        assert serve["environment"]["KAFKA_BOOTSTRAP_SERVERS"] == "kafka:9092"
        assert serve["environment"]["IDENTITY_URL"] == "http://identity:8000"
    assert services["identity"]["environment"]["SMS_GATEWAY_URL"].startswith("http://sms-sink:")


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
