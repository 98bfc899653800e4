"""Texts in the visitor's language: gettext catalogues read from the ``.po`` files at start.

Reading the ``.po`` sources directly (Babel's reader) needs no compile step, so ``make run``
and the tests see an edited catalogue at the next start. A missing translation falls back to
the English ``msgid``.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path

from babel.messages.pofile import read_po

LANGUAGES: tuple[str, ...] = ("lb", "de", "fr", "en", "pt")
LANGUAGE_NAMES = {
    "lb": "Lëtzebuergesch",
    "de": "Deutsch",
    "fr": "Français",
    "en": "English",
    "pt": "Português",
}
DEFAULT_LANGUAGE = "fr"
LOCALE_DIR = Path(__file__).parent / "locale"
Translate = Callable[[str], str]


def catalogue_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / "messages.po"


@cache
def catalogue(language: str) -> dict[str, str]:
    """msgid → msgstr of one language (only the translated, non-fuzzy entries)."""
    with catalogue_path(language).open("rb") as source:
        read = read_po(source)
    return {
        str(m.id): str(m.string)
        for m in read
        if m.id and isinstance(m.id, str) and m.string and not m.fuzzy
    }


def translator(language: str) -> Translate:
    texts = catalogue(language if language in LANGUAGES else DEFAULT_LANGUAGE)

    def gettext(message: str) -> str:
        return texts.get(message, message)

    return gettext


def negotiate(cookie: str | None, accept_language: str | None) -> str:
    """The remembered choice, else the browser's first language the portal speaks."""
    if cookie in LANGUAGES:
        return cookie
    for part in (accept_language or "").split(","):
        tag = part.split(";")[0].strip().lower()[:2]
        if tag in LANGUAGES:
            return tag
    return DEFAULT_LANGUAGE
