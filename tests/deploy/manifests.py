"""Helpers for the deployment tests: render kustomize directories, walk pod specs."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
K8S = REPO / "deploy" / "k8s"
OVERLAYS = ("dev", "prod")
SERVICES = ("identity", "membership", "attendance", "billing")
KUBERNETES_VERSION = "1.30"

Doc = dict[str, Any]


def kubectl() -> str:
    path = shutil.which("kubectl")
    if path is None:
        pytest.skip("kubectl is not installed: cannot render kustomize overlays")
    return path


def render_dir(directory: Path) -> list[Doc]:
    """`kubectl kustomize DIR` parsed into documents; a broken kustomization raises."""
    result = subprocess.run(
        [kubectl(), "kustomize", str(directory)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    if result.returncode != 0:
        raise AssertionError(f"kubectl kustomize {directory} failed:\n{result.stderr}")
    return [doc for doc in yaml.safe_load_all(result.stdout) if doc]


def render(overlay: str) -> list[Doc]:
    return render_dir(K8S / "overlays" / overlay)


def by_kind(docs: list[Doc], kind: str) -> list[Doc]:
    return [d for d in docs if d["kind"] == kind]


def one(docs: list[Doc], kind: str, name: str) -> Doc:
    found = [d for d in docs if d["kind"] == kind and d["metadata"]["name"] == name]
    assert len(found) == 1, f"expected exactly one {kind}/{name}, found {len(found)}"
    return found[0]


def pod_spec(doc: Doc) -> Doc | None:
    """The pod spec inside a workload document, or None for non-workloads."""
    kind = doc["kind"]
    if kind in ("Deployment", "StatefulSet", "DaemonSet", "Job", "ReplicaSet"):
        return doc["spec"]["template"]["spec"]
    if kind == "CronJob":
        return doc["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    if kind == "Pod":
        return doc["spec"]
    return None


def workloads(docs: list[Doc]) -> Iterator[tuple[Doc, Doc]]:
    for doc in docs:
        spec = pod_spec(doc)
        if spec is not None:
            yield doc, spec


def containers(spec: Doc) -> list[Doc]:
    return [*spec.get("initContainers", []), *spec["containers"]]


def documented_key_commands() -> list[list[str]]:
    """The commands docs/DEPLOY.md gives for identity's key and pepper ("2. Secrets"):
    the key script's line, and the openssl alternative in the comment after it."""
    guide = (REPO / "docs" / "DEPLOY.md").read_text(encoding="utf-8")
    script = re.search(r"^python3 (deploy/compose/identity-keygen\.py .+)$", guide, re.M)
    openssl = re.search(r"^# the same key with openssl: (openssl genpkey .+)$", guide, re.M)
    assert script and openssl, "docs/DEPLOY.md no longer shows how to make identity's key"
    return [
        [sys.executable, str(REPO / script.group(1).split()[0]), *script.group(1).split()[1:]],
        openssl.group(1).split(),
    ]
