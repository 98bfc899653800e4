"""The catalogue of educational material (seed 000): small texts written by the project,
each for an age band and in one or more languages, kept as YAML files in a directory.

The directory is read again whenever one of its files changes (name, size or modification
time), so an agent adds or corrects an item by saving a file there: no deploy, no restart.
A file that does not follow the format is left out (and logged), never a broken page.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from csa_portal.i18n import LANGUAGES

SHIPPED = Path(__file__).parent / "materials"
log = logging.getLogger(__name__)


class Text(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: str = Field(min_length=1, max_length=200)
    text: str = Field(min_length=1, max_length=4000)


class Material(BaseModel):
    """One item: for children aged ``age_from`` (included) to ``age_until`` (excluded) years."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str = Field(pattern=r"^[a-z0-9-]{1,80}$")
    age_from: int = Field(ge=0, le=18)
    age_until: int = Field(ge=1, le=19)
    texts: dict[str, Text] = Field(min_length=1)

    @model_validator(mode="after")
    def _sound(self) -> Material:
        if self.age_until <= self.age_from:
            raise ValueError("age_until must be above age_from")
        unknown = set(self.texts) - set(LANGUAGES)
        if unknown:
            raise ValueError(f"unknown languages {sorted(unknown)}")
        return self

    def suits(self, age: int) -> bool:
        return self.age_from <= age < self.age_until


def age_on(birth_date: date, today: date) -> int:
    """Whole years of age on ``today``."""
    before_birthday = (today.month, today.day) < (birth_date.month, birth_date.day)
    return today.year - birth_date.year - before_birthday


def suited(materials: tuple[Material, ...], age: int, language: str) -> list[tuple[Material, Text]]:
    """The items of ``age``'s band written in ``language`` (no item shown in another
    language than the visitor's), youngest band first."""
    chosen = [m for m in materials if m.suits(age) and language in m.texts]
    return [(m, m.texts[language]) for m in sorted(chosen, key=lambda m: (m.age_from, m.id))]


@dataclass
class Catalogue:
    """The directory's items, read again when its files change."""

    directory: Path
    _signature: tuple[tuple[str, int, int], ...] | None = None
    _items: tuple[Material, ...] = ()

    def _files(self) -> list[Path]:
        if not self.directory.is_dir():
            return []
        return sorted(p for p in self.directory.iterdir() if p.suffix in {".yaml", ".yml"})

    def items(self) -> tuple[Material, ...]:
        files = self._files()
        signature = tuple((p.name, (s := p.stat()).st_mtime_ns, s.st_size) for p in files)
        if signature != self._signature:
            self._items = tuple(m for p in files if (m := _read(p)) is not None)
            self._signature = signature
        return self._items


def _read(path: Path) -> Material | None:
    try:
        data: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
        return Material.model_validate(data)
    except (OSError, UnicodeDecodeError, yaml.YAMLError, ValidationError) as exc:
        log.warning("educational material %s left out: %s", path.name, exc)
        return None
