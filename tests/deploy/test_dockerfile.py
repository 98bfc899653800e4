"""The Dockerfile cannot be built here (no Docker engine): check its shape statically."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from .manifests import REPO


@pytest.fixture(scope="module")
def stages() -> list[list[tuple[str, str]]]:
    """Instructions (keyword, argument) grouped by build stage, continuation lines joined."""
    text = re.sub(r"\\\n", " ", (REPO / "Dockerfile").read_text())
    result: list[list[tuple[str, str]]] = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        keyword, _, argument = line.partition(" ")
        keyword = keyword.upper()
        if keyword == "FROM":
            result.append([])
        if result:
            result[-1].append((keyword, argument.strip()))
    return result


def _args(stage, keyword):
    return [arg for kw, arg in stage if kw == keyword]


def test_the_image_is_multi_stage_on_a_pinned_slim_python_3_11(stages):
    text = (REPO / "Dockerfile").read_text()
    base = re.search(r"ARG PYTHON_IMAGE=(\S+)", text).group(1)
    assert re.fullmatch(r"python:3\.11\.\d+-slim(-\w+)?@sha256:[0-9a-f]{64}", base), base
    assert len(stages) == 2
    assert _args(stages[0], "FROM") == ["${PYTHON_IMAGE} AS builder"]
    assert _args(stages[1], "FROM") == ["${PYTHON_IMAGE} AS runtime"]
    assert any("pip wheel" in run for run in _args(stages[0], "RUN"))


def test_the_runtime_stage_runs_as_uid_10001_without_compilers(stages):
    runtime = stages[-1]
    assert _args(runtime, "USER") == ["10001:10001"]
    assert any("--uid 10001" in run for run in _args(runtime, "RUN"))
    for run in _args(runtime, "RUN"):
        assert not re.search(r"\b(gcc|g\+\+|build-essential|apt-get install|pip install)\b", run)
    copies = _args(runtime, "COPY")
    assert copies == ["--from=builder /opt/venv /opt/venv"]


def test_entrypoint_is_csa_and_healthcheck_probes_healthz_with_urllib(stages):
    runtime = stages[-1]
    assert [json.loads(a) for a in _args(runtime, "ENTRYPOINT")] == [["csa"]]
    (healthcheck,) = _args(runtime, "HEALTHCHECK")
    command = json.loads(healthcheck.split("CMD", 1)[1])
    assert command[:2] == ["python", "-c"]
    assert "urllib.request" in command[2] and "/healthz" in command[2]
    compile(command[2], "<healthcheck>", "exec")


def test_dockerignore_keeps_the_context_to_the_sources(stages):
    ignore = (REPO / ".dockerignore").read_text().splitlines()
    assert ignore[ignore.index("**")] == "**"
    included = {line[1:].rstrip("/") for line in ignore if line.startswith("!")}
    copied = {
        arg.split()[0].rstrip("/")
        for arg in _args(stages[0], "COPY")
        if not arg.startswith("--from")
    }
    assert copied <= included, copied - included


def test_the_documents_unicode_font_reaches_the_runtime_through_the_venv(stages):
    """PDF/A needs an embedded font (csa_shared.documents.archival_pdf): DejaVu Sans,
    installed in the builder and copied into the venv the runtime stage copies."""
    builder = " ".join(_args(stages[0], "RUN"))
    assert "fonts-dejavu-core" in builder and "/opt/venv/share/fonts/" in builder


DIGEST = re.compile(r"@sha256:[0-9a-f]{64}$")


def _from_images(path: Path) -> list[str]:
    """The image of every FROM of a Dockerfile, ARG defaults substituted; stages built
    earlier in the file (``FROM builder``) left out: they are no image to pull."""
    text = re.sub(r"\\\n", " ", path.read_text())
    defaults: dict[str, str] = {}
    stages: set[str] = set()
    images = []
    for line in text.splitlines():
        keyword, _, argument = line.strip().partition(" ")
        if keyword.upper() == "ARG" and "=" in argument:
            name, _, value = argument.strip().partition("=")
            defaults[name] = value.strip().strip('"')
        if keyword.upper() != "FROM":
            continue
        words = [w for w in argument.split() if not w.startswith("--platform")]
        image = re.sub(r"\$\{?(\w+)\}?", lambda m: defaults.get(m.group(1), m.group(0)), words[0])
        if len(words) >= 3 and words[1].upper() == "AS":
            stages.add(words[2])
        if image not in stages and image != "scratch":
            images.append(image)
    return images


def dockerfiles() -> list[Path]:
    skipped = {".git", ".venv", "node_modules"}
    return sorted(
        path
        for path in REPO.rglob("*Dockerfile*")
        if path.is_file() and not skipped & set(path.relative_to(REPO).parts)
    )


def test_every_from_of_every_dockerfile_is_pinned_by_digest():
    found = {str(path.relative_to(REPO)): _from_images(path) for path in dockerfiles()}
    assert found["Dockerfile"], found
    unpinned = {name: [i for i in images if not DIGEST.search(i)] for name, images in found.items()}
    assert {name: images for name, images in unpinned.items() if images} == {}


def test_the_digest_check_resolves_args_and_skips_stages(tmp_path):
    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text(
        "ARG BASE=python:3.11-slim\nFROM ${BASE} AS build\nFROM build AS test\n"
        f"FROM --platform=linux/amd64 alpine@sha256:{'a' * 64}\nFROM $BASE\n"
    )
    images = _from_images(dockerfile)
    assert images == ["python:3.11-slim", f"alpine@sha256:{'a' * 64}", "python:3.11-slim"]
    assert [bool(DIGEST.search(i)) for i in images] == [False, True, False]
