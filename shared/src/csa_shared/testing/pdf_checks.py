"""Read an archival PDF back (pypdf) and check what ``csa_shared.documents.archival_pdf``
promises: PDF/A-2b markers (XMP ``pdfaid``, an sRGB OutputIntent with its ICC profile,
embedded fonts), the declared language and title, and a structure tree for screen readers.

veraPDF (the reference PDF/A validator) is a Java tool installed from neither PyPI, npm nor
Debian: these checks stand in for it and say so.
"""

from __future__ import annotations

import io
from typing import Any

from pypdf import PdfReader
from pypdf.generic import IndirectObject


def _resolve(value: Any) -> Any:
    return value.get_object() if isinstance(value, IndirectObject) else value


def _fonts(reader: PdfReader) -> list[Any]:
    found = []
    for page in reader.pages:
        fonts = _resolve(_resolve(page.get("/Resources", {})).get("/Font", {}))
        for ref in fonts.values():
            font = _resolve(ref)
            for descendant in font.get("/DescendantFonts", [font]):
                found.append(_resolve(descendant))
    return found


def archival_pdf_text(content: bytes, *, lang: str, title: str) -> str:
    """The text of every page, after asserting the PDF/A-2b, language, title and tags."""
    reader = PdfReader(io.BytesIO(content))
    root = reader.trailer["/Root"]
    assert root["/Lang"] == lang
    metadata = _resolve(root["/Metadata"]).get_data().decode()
    assert "<pdfaid:part>2</pdfaid:part>" in metadata
    assert "<pdfaid:conformance>B</pdfaid:conformance>" in metadata
    xmp = reader.xmp_metadata
    assert xmp is not None and xmp.dc_title == {"x-default": title}
    [intent] = [_resolve(x) for x in root["/OutputIntents"]]
    assert intent["/S"] == "/GTS_PDFA1" and intent["/OutputConditionIdentifier"] == "sRGB"
    assert _resolve(intent["/DestOutputProfile"]).get_data()[36:40] == b"acsp"  # an ICC profile
    assert bool(root["/MarkInfo"]["/Marked"])
    tree = _resolve(root["/StructTreeRoot"])
    [document] = [_resolve(x) for x in tree["/K"]]
    kinds = {_resolve(x)["/S"] for x in document["/K"]}
    assert document["/S"] == "/Document" and {"/H1", "/P"} <= kinds
    assert bool(root["/ViewerPreferences"]["/DisplayDocTitle"])
    fonts = _fonts(reader)
    assert fonts and all("/FontFile2" in _resolve(f["/FontDescriptor"]) for f in fonts)
    return "\n".join(page.extract_text() for page in reader.pages)
