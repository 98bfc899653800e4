"""An income category (csa-rules.md §2) in words, in each document language: what an invoice
and a contract print beside the code (``lt_3`` → "revenu inférieur à 3 × SSM")."""

from __future__ import annotations

from decimal import Decimal

from babel.numbers import format_decimal

from csa_shared.documents.typography import FALLBACK, locale_of

WORDS: dict[str, dict[str, str]] = {
    "lb": {
        "lt": "Akommes ënner {k} × SSM",
        "ge": "Akommes vu mindestens {k} × SSM",
        "rmg": "REVIS",
        "undisclosed": "Akommes net matgedeelt",
    },
    "de": {
        "lt": "Einkommen unter {k} × SSM",
        "ge": "Einkommen von mindestens {k} × SSM",
        "rmg": "REVIS",
        "undisclosed": "Einkommen nicht angegeben",
    },
    "fr": {
        "lt": "revenu inférieur à {k} × SSM",
        "ge": "revenu d'au moins {k} × SSM",
        "rmg": "REVIS",
        "undisclosed": "revenu non déclaré",
    },
    "en": {
        "lt": "income below {k} × SSM",
        "ge": "income of at least {k} × SSM",
        "rmg": "REVIS",
        "undisclosed": "income not disclosed",
    },
    "pt": {
        "lt": "rendimento inferior a {k} × SSM",
        "ge": "rendimento de pelo menos {k} × SSM",
        "rmg": "REVIS",
        "undisclosed": "rendimento não declarado",
    },
}


def category_name(code: str, language: str) -> str:
    """``lt_2_5`` → "income below 2.5 × SSM" (the bound in the locale's notation); an
    unknown code is printed as is."""
    words = WORDS.get(language, WORDS[FALLBACK])
    if code in words:
        return words[code]
    kind, _, bound = code.partition("_")
    if kind not in ("lt", "ge") or not bound.replace("_", "").isdigit():
        return code
    k = format_decimal(Decimal(bound.replace("_", ".")), locale=locale_of(language))
    return words[kind].format(k=k)
