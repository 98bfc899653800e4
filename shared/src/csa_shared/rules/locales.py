"""The Babel locale of each contract language (csa-rules.md §8: lb, de, fr, en, pt).

Babel ships Luxembourgish as ``lb``; money and dates of every document a family receives
(contract, invoice) are formatted with these.
"""

from __future__ import annotations

BABEL_LOCALES: dict[str, str] = {
    "lb": "lb_LU",
    "de": "de_LU",
    "fr": "fr_LU",
    "en": "en_GB",
    "pt": "pt_PT",
}
