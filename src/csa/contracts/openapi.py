"""Each service's OpenAPI document, built from its FastAPI app without touching a database."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from csa_shared.bus.memory import InProcessBus
from csa_shared.settings import ServiceName, Settings

REPO_ROOT = Path(__file__).resolve().parents[3]
DOCS_DIR = REPO_ROOT / "docs" / "api"
PRODUCTION_BUS = "kafka:9092"  # only marks the settings as production-shaped; never dialled


def openapi_path(service: ServiceName, docs_dir: Path = DOCS_DIR) -> Path:
    return docs_dir / f"{service}.openapi.json"


def build_openapi(service: ServiceName) -> dict[str, Any]:
    """The service's OpenAPI document as FastAPI generates it from the routers.

    It describes the production shape (Kafka configured, so no embedded-only dev routes)
    and ignores the environment, so every machine generates the same bytes. The runtime
    lives on a throw-away var dir with an in-process bus that is never started: creating
    the engine does not connect, so no database or broker is needed.
    """
    from csa.services import definition

    service_definition = definition(service)
    with tempfile.TemporaryDirectory(prefix=f"csa-openapi-{service}-") as var_dir:
        settings = Settings.model_construct(
            var_dir=Path(var_dir), kafka_bootstrap_servers=PRODUCTION_BUS
        )
        runtime = service_definition.build_runtime(settings, bus=InProcessBus(), subscribe=False)
        app = service_definition.create_app(runtime, manage_lifecycle=False)
        document: dict[str, Any] = app.openapi()
        detached: dict[str, Any] = json.loads(json.dumps(document))  # a plain copy
        return detached


def render_json(document: Any) -> str:
    """The committed form: sorted keys, indent 2, UTF-8 text, trailing newline."""
    return json.dumps(document, sort_keys=True, indent=2, ensure_ascii=False) + "\n"
