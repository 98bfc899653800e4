"""Demo data for embedded mode, loaded through each service's own use cases.

A service that has demo data provides ``csa_<svc>.demo.load(runtime)``; loading must be
idempotent (fixed ids), since ``make run`` may start on an existing ``./var``.
"""

from __future__ import annotations

from importlib import import_module
from importlib.util import find_spec

from csa_shared.runtime import ServiceRuntime
from csa_shared.settings import SERVICES


async def load_demo_data(runtimes: dict[str, ServiceRuntime]) -> None:
    for name in SERVICES:
        if name in runtimes and find_spec(f"csa_{name}.demo") is not None:
            await import_module(f"csa_{name}.demo").load(runtimes[name])
