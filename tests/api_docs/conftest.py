"""The documents as generated from the code now, built once per test session."""

from __future__ import annotations

import json
from typing import Any

import pytest

from csa.contracts.documents import rendered


@pytest.fixture(scope="session")
def generated_files() -> dict[str, str]:
    """File name under docs/api/ → the text ``csa docs generate`` would write."""
    return rendered()


@pytest.fixture(scope="session")
def generated_openapi(generated_files: dict[str, str]) -> dict[str, dict[str, Any]]:
    """Service name → its OpenAPI document generated from the code."""
    return {
        name.removesuffix(".openapi.json"): json.loads(text)
        for name, text in generated_files.items()
        if name.endswith(".openapi.json")
    }
