"""The four service definitions, by name."""

from __future__ import annotations

from importlib import import_module

from csa_shared.composition import ServiceDefinition
from csa_shared.settings import SERVICES, ServiceName


def definition(name: ServiceName) -> ServiceDefinition:
    module = import_module(f"csa_{name}.app")
    found: ServiceDefinition = module.definition
    return found


def all_definitions() -> list[ServiceDefinition]:
    return [definition(name) for name in SERVICES]
