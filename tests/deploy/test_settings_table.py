"""Every variable a process reads is a settings field, listed in README.md's table; secrets
are ``SecretStr`` and also come from ``<NAME>_FILE``; service code reads no environment itself."""

from __future__ import annotations

import importlib
import pkgutil
import re
from pathlib import Path

import pytest
from pydantic import SecretStr, ValidationError
from pydantic_settings import BaseSettings

from csa_shared.settings import SERVICES, SETTINGS_CLASSES, Settings, is_secret, variable_of

from .manifests import REPO

TESTING = REPO / "shared/src/csa_shared/testing"
SETTINGS_MODULE = REPO / "shared/src/csa_shared/settings.py"
SERVICE_CODE = [
    *(REPO / "services").glob("*/src"),
    REPO / "shared/src",
    REPO / "src",
]
ENVIRONMENT_READ = re.compile(r"\bos\.(environ|getenv)\b|\bgetenv\(|\bfrom os import .*environ")


def _readme_table() -> dict[str, str]:
    """``{variable: meaning}`` of every row of the README's Configuration table."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    rows: dict[str, str] = {}
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) < 3 or not cells[0].startswith("`"):
            continue
        for name in re.findall(r"`([A-Z0-9_]+)`", cells[0]):
            rows[name] = cells[1]
    return rows


def _settings_classes() -> set[type[BaseSettings]]:
    """The shared settings classes and every one a service defines (all modules imported)."""
    for package in ("csa_shared", *(f"csa_{s}" for s in SERVICES), "csa_portal", "csa"):
        root = importlib.import_module(package)
        for module in pkgutil.walk_packages(root.__path__, f"{package}."):
            if not any(
                part in module.name for part in (".migrations", ".testing", "__main__", "__mypyc")
            ):
                importlib.import_module(module.name)
    found: set[type[BaseSettings]] = set(SETTINGS_CLASSES)
    pending = [BaseSettings]
    while pending:
        for subclass in pending.pop().__subclasses__():
            pending.append(subclass)
            if subclass.__module__.startswith(("csa_", "csa.")):
                found.add(subclass)
    return found


def test_every_settings_class_of_the_services_is_read_from_named_variables() -> None:
    from csa_billing.payments.settings import PaymentSettings

    assert PaymentSettings in _settings_classes()


def _read_by_settings() -> set[str]:
    names: set[str] = set()
    for settings_class in _settings_classes():
        for info in settings_class.model_fields.values():
            names.add(variable_of(info))
            if is_secret(info):
                names.add(variable_of(info) + "_FILE")
    return names


def test_the_readme_lists_exactly_the_variables_the_settings_classes_read() -> None:
    table = _readme_table()
    for_tests = {name for name, meaning in table.items() if meaning.startswith("tests only")}
    listed = set(table) - for_tests
    read = _read_by_settings()
    assert sorted(read - listed) == [], "read by a settings class but not in README.md"
    assert sorted(listed - read) == [], "in README.md but read by no settings class"
    testing_code = "\n".join(p.read_text() for p in TESTING.glob("*.py"))
    assert all(f'"{name}"' in testing_code for name in for_tests), for_tests


def test_secrets_are_secret_strings_and_never_shown() -> None:
    secrets = {variable_of(info) for info in Settings.model_fields.values() if is_secret(info)}
    assert secrets >= {
        "IDENTITY_CODE_PEPPER",
        "SMS_GATEWAY_TOKEN",
        "KAFKA_SASL_PASSWORD",
        "IDENTITY_DATABASE_URL",
        "BILLING_DATABASE_URL",
    }
    settings = Settings(
        SMS_GATEWAY_TOKEN="gw-token-123", BILLING_DATABASE_URL="postgresql://b:pw@h/b"
    )
    assert isinstance(settings.sms_gateway_token, SecretStr)
    assert "gw-token-123" not in repr(settings) and "pw@h" not in repr(settings)
    assert settings.database_url("billing") == "postgresql+asyncpg://b:pw@h/b"


def test_no_service_code_reads_the_environment_past_the_settings() -> None:
    readers = [
        f"{path.relative_to(REPO)}:{number}"
        for root in SERVICE_CODE
        for path in root.rglob("*.py")
        if path != SETTINGS_MODULE and TESTING not in path.parents
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if ENVIRONMENT_READ.search(line)
    ]
    assert readers == []


def test_a_secret_comes_from_the_file_its_FILE_variable_names(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pepper = tmp_path / "code-pepper"
    pepper.write_text("ab" * 32 + "\n", encoding="ascii")  # a trailing newline, as editors leave
    database = tmp_path / "uri"
    database.write_text("postgresql://identity:s3cret@db:5432/identity", encoding="ascii")
    monkeypatch.setenv("IDENTITY_CODE_PEPPER_FILE", str(pepper))
    monkeypatch.setenv("IDENTITY_DATABASE_URL_FILE", str(database))
    settings = Settings()
    assert settings.identity_code_pepper is not None
    assert settings.identity_code_pepper.get_secret_value() == "ab" * 32
    assert (
        settings.database_url("identity") == "postgresql+asyncpg://identity:s3cret@db:5432/identity"
    )

    monkeypatch.setenv("IDENTITY_CODE_PEPPER", "cd" * 32)
    with pytest.raises(ValueError, match="IDENTITY_CODE_PEPPER or IDENTITY_CODE_PEPPER_FILE"):
        Settings()
    monkeypatch.delenv("IDENTITY_CODE_PEPPER")
    monkeypatch.setenv("IDENTITY_CODE_PEPPER_FILE", str(tmp_path / "missing"))
    with pytest.raises(ValueError, match="cannot read"):
        Settings()


def test_a_FILE_variable_of_a_setting_that_is_no_secret_is_not_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "port").write_text("9999", encoding="ascii")
    monkeypatch.setenv("CSA_HTTP_PORT_FILE", str(tmp_path / "port"))
    assert Settings().http_port == 8000


def test_settings_refuse_values_they_cannot_use(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KAFKA_SECURITY_PROTOCOL", "SASL_SSI")
    with pytest.raises(ValidationError):
        Settings()
