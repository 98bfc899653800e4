"""The committed OpenAPI documents: current, valid, compatible, with examples for partners."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from openapi_spec_validator import validate

from csa.contracts import breaking
from csa.contracts.documents import REGENERATE
from csa.contracts.openapi import DOCS_DIR, REPO_ROOT, openapi_path
from csa_shared.settings import SERVICES

ALLOWLIST = Path(__file__).parent / "examples_allowlist.txt"
METHODS = breaking.METHODS


def _committed(service: str) -> dict[str, Any]:
    path = openapi_path(service)  # type: ignore[arg-type]
    assert path.exists(), f"{path} is missing: {REGENERATE}"
    document: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return document


@pytest.mark.parametrize("service", SERVICES)
def test_committed_openapi_document_is_the_one_generated_from_the_code(
    service: str, generated_files: dict[str, str]
) -> None:
    name = f"{service}.openapi.json"
    committed = (DOCS_DIR / name).read_text(encoding="utf-8") if (DOCS_DIR / name).exists() else ""
    assert committed == generated_files[name], (
        f"docs/api/{name} differs from the code: {REGENERATE} (see `csa docs check` for the diff)"
    )


@pytest.mark.parametrize("service", SERVICES)
def test_committed_openapi_document_validates_against_the_openapi_specification(
    service: str,
) -> None:
    validate(_committed(service))  # raises OpenAPIValidationError with the offending path


# The documents the code must stay compatible with: HEAD catches a change in the working
# tree, HEAD~1 the change of the last commit (what CI sees); CSA_API_BASELINE overrides,
# e.g. "origin/main" for a branch of several commits.
BASELINES = os.environ.get("CSA_API_BASELINE", "HEAD,HEAD~1").split(",")


def _committed_at(ref: str, service: str) -> dict[str, Any] | None:
    relative = openapi_path(service).relative_to(REPO_ROOT).as_posix()  # type: ignore[arg-type]
    shown = subprocess.run(
        ["git", "show", f"{ref}:{relative}"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if shown.returncode != 0:
        return None
    document: dict[str, Any] = json.loads(shown.stdout)
    return document


@pytest.mark.parametrize("ref", BASELINES)
@pytest.mark.parametrize("service", SERVICES)
def test_no_breaking_change_against_the_committed_document_without_a_major_bump(
    service: str, ref: str, generated_openapi: dict[str, dict[str, Any]]
) -> None:
    old = _committed_at(ref, service)
    if old is None:
        pytest.skip(f"docs/api/{service}.openapi.json is not in git {ref}")
    problems = breaking.check(old, generated_openapi[service])
    assert not problems, (
        f"breaking changes in the {service} API since {ref}; keep them compatible or bump the "
        f"major of its version ({old['info']['version']}):\n" + "\n".join(problems)
    )


def _resolve(document: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        target: Any = document
        for part in node["$ref"].lstrip("#/").split("/"):
            target = target[part]
        node = target
    return node


def _has_example(document: dict[str, Any], media: dict[str, Any]) -> bool:
    if media.get("example") is not None or media.get("examples"):
        return True
    schema = _resolve(document, media.get("schema", {}))
    return bool(schema.get("examples")) or schema.get("example") is not None


def missing_examples(service: str, document: dict[str, Any]) -> list[str]:
    """``<service> <METHOD> <path> <what>`` for each request body or 4xx without example."""
    missing = []
    for path, item in document.get("paths", {}).items():
        for method in METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            where = f"{service} {method.upper()} {path}"
            body = _resolve(document, operation.get("requestBody", {}))
            for media_type, media in body.get("content", {}).items():
                if not _has_example(document, media):
                    missing.append(f"{where} request {media_type}")
            for status, response in operation.get("responses", {}).items():
                if not str(status).startswith("4"):
                    continue
                content = _resolve(document, response).get("content", {})
                if not content:
                    missing.append(f"{where} response {status} (no content)")
                for media_type, media in content.items():
                    if not _has_example(document, media):
                        missing.append(f"{where} response {status} {media_type}")
    return missing


def _allowlist() -> set[str]:
    lines = ALLOWLIST.read_text(encoding="utf-8").splitlines() if ALLOWLIST.exists() else []
    return {line.strip() for line in lines if line.strip() and not line.startswith("#")}


def test_every_request_body_and_every_4xx_response_has_an_example_for_partners() -> None:
    found = {m for service in SERVICES for m in missing_examples(service, _committed(service))}
    known = _allowlist()
    new = sorted(found - known)
    assert not new, (
        "add examples (json_schema_extra examples on the request model, PROBLEM_RESPONSES for "
        "errors) to:\n" + "\n".join(new)
    )
    fixed = sorted(known - found)
    assert not fixed, f"these have examples now, remove them from {ALLOWLIST.name}:\n" + "\n".join(
        fixed
    )


def test_an_operation_without_examples_is_reported() -> None:
    document = {
        "paths": {
            "/v1/things": {
                "post": {
                    "requestBody": {
                        "content": {"application/json": {"schema": {"type": "object"}}}
                    },
                    "responses": {
                        "201": {"description": "created"},
                        "404": {"description": "Not found"},
                        "409": {
                            "description": "Conflict",
                            "content": {"application/problem+json": {"example": {"status": 409}}},
                        },
                    },
                }
            }
        }
    }
    assert missing_examples("svc", document) == [
        "svc POST /v1/things request application/json",
        "svc POST /v1/things response 404 (no content)",
    ]


@pytest.mark.parametrize("service", SERVICES)
def test_every_operation_has_a_unique_id_a_description_and_its_security(service: str) -> None:
    document = _committed(service)
    found = [
        (f"{m.upper()} {p}", o) for p, item in document["paths"].items() for m, o in item.items()
    ]
    ids = [operation["operationId"] for _, operation in found]
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    assert all(re.fullmatch(r"[a-z][a-z0-9_]*", i) and "_v1_" not in i for i in ids), ids
    assert [where for where, o in found if not o.get("description")] == []
    assert [where for where, o in found if "security" not in o] == []
    schemes = document["components"]["securitySchemes"]
    assert schemes["providerClient"]["flows"]["clientCredentials"]["tokenUrl"]
    assert schemes["userToken"]["scheme"] == "bearer"
    assert document["servers"][0]["url"] == "/"
