"""Educational material: the catalogue's files (a temporary directory), re-read when they
change, and the page for the demo child on ``csa run`` (aged by the birth date on its myCard)."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx
import pytest
import time_machine

from csa_portal.i18n import translator
from csa_portal.materials import SHIPPED, Catalogue, age_on, suited
from csa_portal.settings import PortalSettings

from .test_office_pages import GERMAN, Platform, SmsSink, _registered, mounted_portal, platform

__all__ = ["platform"]  # the fixture: csa run on a free port


def _item(directory: Path, name: str, age_from: int, age_until: int, **titles: str) -> Path:
    texts = "".join(
        f"  {lang}: {{title: {title}, text: Text {title}}}\n" for lang, title in titles.items()
    )
    path = directory / f"{name}.yaml"
    path.write_text(f"id: {name}\nage_from: {age_from}\nage_until: {age_until}\ntexts:\n{texts}")
    return path


def _noon_after(born: date, *, years: int) -> datetime:
    """Ten days after the child's birthday of ``years``."""
    return datetime(born.year + years, born.month, min(born.day, 28), 12, tzinfo=UTC) + timedelta(
        days=10
    )


def test_the_age_is_in_whole_years_up_to_the_birthday() -> None:
    born = date(2019, 5, 4)
    assert [age_on(born, date(2024, 5, d)) for d in (3, 4)] == [4, 5]
    assert age_on(date(2020, 2, 29), date(2021, 2, 28)) == 0


def test_the_catalogue_is_read_again_when_a_file_changes(tmp_path: Path) -> None:
    catalogue = Catalogue(tmp_path)
    assert catalogue.items() == ()
    _item(tmp_path, "songs", 1, 4, de="Lieder", fr="Chansons")
    _item(tmp_path, "school", 6, 12, de="Schule")
    (tmp_path / "broken.yaml").write_text("id: Not An Id\nage_from: 5\nage_until: 2\n")
    (tmp_path / "notes.txt").write_text("not part of the catalogue")
    assert sorted(m.id for m in catalogue.items()) == ["school", "songs"]
    assert [t.title for _m, t in suited(catalogue.items(), 3, "de")] == ["Lieder"]
    assert suited(catalogue.items(), 4, "de") == []  # age_until is excluded
    assert suited(catalogue.items(), 3, "pt") == []  # never in another language
    changed = _item(tmp_path, "songs", 1, 5, de="Neue Lieder")
    os.utime(changed, ns=(1, 1))  # a different modification time even on a coarse clock
    assert [t.title for _m, t in suited(catalogue.items(), 4, "de")] == ["Neue Lieder"]
    (tmp_path / "school.yaml").unlink()
    assert [m.id for m in catalogue.items()] == ["songs"]


def test_every_shipped_item_is_valid_and_written_in_the_five_languages() -> None:
    files = sorted(SHIPPED.glob("*.yaml"))
    items = Catalogue(SHIPPED).items()
    assert len(items) == len(files) >= 5
    assert all(set(m.texts) == {"lb", "de", "fr", "en", "pt"} for m in items)
    for age in range(13):  # every age from birth to the end of fundamental school
        assert suited(items, age, "pt"), age


@pytest.fixture
async def portal_with(platform: Platform, tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    """The portal reading its catalogue from the test's temporary directory."""
    async with mounted_portal(
        platform, PortalSettings.model_validate({"materials_dir": tmp_path})
    ) as client:
        yield client


async def test_the_page_shows_the_items_of_the_childs_age_in_the_visitors_language(
    platform: Platform, portal_with: httpx.AsyncClient, tmp_path: Path
) -> None:
    _ = translator("de")
    sms = SmsSink(platform[0])
    assert (await portal_with.get("/portal/materials")).headers["location"] == "/portal/login"
    await _registered(portal_with, sms)
    my_data = (await portal_with.get("/portal/my-data.json")).json()
    (card,) = [exports["identity"]["card"] for exports in my_data["children"].values()]
    born = date.fromisoformat(card["birth_date"])
    _item(tmp_path, "five", 5, 6, de="Fünfjährige", fr="Enfants de cinq ans")
    _item(tmp_path, "toddlers", 1, 4, de="Kleinkinder")
    with time_machine.travel(_noon_after(born, years=5), tick=True):
        page = await portal_with.get("/portal/materials", headers=GERMAN)
        assert page.status_code == 200 and "Mia Muller" in page.text, page.text
        assert _("age {age}").format(age=5) in page.text
        assert "Fünfjährige" in page.text and "Kleinkinder" not in page.text
        assert "Enfants de cinq ans" not in page.text
        # an agent saves a new file: shown at the next visit, no restart
        _item(tmp_path, "more", 4, 7, de="Noch mehr")
        page = await portal_with.get("/portal/materials", headers=GERMAN)
        assert "Noch mehr" in page.text
        french = await portal_with.get("/portal/materials", headers={"Accept-Language": "fr"})
        assert "Enfants de cinq ans" in french.text and "Noch mehr" not in french.text
        assert translator("fr")("There is no material for this age in this language yet.") not in (
            french.text
        )
    with time_machine.travel(_noon_after(born, years=3), tick=True):
        younger = await portal_with.get("/portal/materials", headers=GERMAN)
    assert "Kleinkinder" in younger.text and "Fünfjährige" not in younger.text
