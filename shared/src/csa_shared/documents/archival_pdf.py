"""An archival, tagged PDF (fpdf2): PDF/A-2b, a declared title and language, and a structure
tree screen readers follow.

fpdf2 writes what PDF/A-2b asks for once ``enforce_compliance`` is set: XMP metadata with
``pdfaid:part``/``pdfaid:conformance`` (and the title as ``dc:title``), an sRGB OutputIntent
(its bundled sRGB2014 ICC profile), no Info dictionary, fonts embedded (it refuses the core
fonts). Its structure tree is flat (``/Document`` and one element per tagged block): each
block here is a ``/H1`` or ``/P`` element with its marked content, ``/MarkInfo`` marked.

The body font is DejaVu Sans (Debian ``fonts-dejavu-core``; the image copies it into its
venv, ``FONT_DIRS``). Without
it the document falls back to the core Helvetica font, which PDF/A forbids: it is then a
plain tagged PDF (latin-1 only) rather than none at all.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Literal

from fpdf import FPDF, ViewerPreferences

from csa_shared.documents.typography import language_tag

#: Debian's fonts-dejavu-core, or the copy the image's builder puts in the venv (the runtime
#: stage installs no package)
FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path(sys.prefix) / "share" / "fonts")


def _font(name: str) -> Path:
    found = [d / name for d in FONT_DIRS if (d / name).exists()]
    return found[0] if found else FONT_DIRS[0] / name


REGULAR = _font("DejaVuSans.ttf")
BOLD = _font("DejaVuSans-Bold.ttf")
PDFA = "PDF/A-2B"
Tag = Literal["/H1", "/H2", "/P"]


def unicode_font_available(regular: Path | None = REGULAR) -> bool:
    return regular is not None and regular.exists()


class ArchivalPdf(FPDF):
    """A4 pages in ``language`` titled ``title``; write with :meth:`block` and :meth:`cells`."""

    def __init__(
        self,
        *,
        language: str,
        title: str,
        orientation: Literal["P", "L"] = "P",
        created: datetime | None = None,
        font: Path | None = REGULAR,
    ) -> None:
        unicode_font = unicode_font_available(font)
        super().__init__(
            orientation=orientation,
            format="A4",
            enforce_compliance=PDFA if unicode_font else None,
        )
        self.set_title(title)
        self.set_lang(language_tag(language))
        self.set_creator("Staark Kanner CSA")
        if created is not None:
            self.set_creation_date(created)
        self.viewer_preferences = ViewerPreferences(display_doc_title=True)
        self.set_auto_page_break(auto=True, margin=12)
        if unicode_font and font is not None:
            bold = BOLD if font == REGULAR and BOLD.exists() else font
            self.add_font("body", fname=str(font))
            self.add_font("body", style="B", fname=str(bold))
            self.body_font = "body"
        else:
            self.body_font = "helvetica"
        self.unicode = unicode_font
        self.add_page()

    @property
    def archival(self) -> bool:
        """Whether the document is PDF/A (a Unicode font could be embedded)."""
        return self.unicode

    def clean(self, text: str) -> str:
        if self.unicode:
            return text
        return text.replace("\u202f", " ").encode("latin-1", "replace").decode("latin-1")

    @contextmanager
    def tagged(self, tag: Tag = "/P") -> Iterator[None]:
        """Content drawn inside is one structure element ``tag`` (it must fit on the page)."""
        mcid = self.struct_builder.next_mcid_for_page(self.page)
        self._add_marked_content(struct_type=tag, mcid=mcid)
        self._out(f"{tag} <</MCID {mcid}>> BDC")
        yield
        self._out("EMC")

    def keep_room(self, height: float) -> None:
        """Start a new page unless ``height`` mm still fit on this one."""
        if self.get_y() + height > self.page_break_trigger:
            self.add_page()

    def block(
        self,
        text: str,
        *,
        size: float = 9,
        bold: bool = False,
        height: float = 5,
        tag: Tag = "/P",
    ) -> None:
        """A paragraph (or heading) across the page width, tagged, never split over pages."""
        self.set_font(self.body_font, style="B" if bold else "", size=size)
        content = self.clean(text)
        width = self.w - self.l_margin - self.r_margin
        lines = self.multi_cell(width, height, content, dry_run=True, output="LINES")
        self.keep_room(height * len(lines) if isinstance(lines, list) else height)
        with self.tagged(tag):
            self.multi_cell(width, height, content, new_x="LMARGIN", new_y="NEXT")

    def cells(
        self,
        cells: list[str],
        widths: list[float],
        aligns: list[str],
        *,
        bold: bool = False,
        size: float = 8,
        height: float = 5,
    ) -> None:
        """One table row, tagged as a paragraph (fpdf2's tree has no table elements)."""
        self.set_font(self.body_font, style="B" if bold else "", size=size)
        self.keep_room(height)
        with self.tagged("/P"):
            for cell, width, align in zip(cells, widths, aligns, strict=True):
                self.cell(width, height, self.clean(cell), border=1, align=align)
            self.ln()
