"""``csa docs ...``: generate and check the OpenAPI and AsyncAPI documents in ``docs/api/``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from csa.contracts.documents import REGENERATE, differences, write
from csa.contracts.openapi import DOCS_DIR

app = typer.Typer(
    help="API and event documents (OpenAPI, AsyncAPI) under docs/api/.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
console = Console(stderr=True, soft_wrap=True)

DocsDir = Annotated[Path, typer.Option(help="Where the documents live")]


@app.command()
def generate(docs_dir: DocsDir = DOCS_DIR) -> None:
    """Regenerate every service's OpenAPI document and the AsyncAPI document."""
    changed = write(docs_dir)
    for path in changed:
        console.print(f"updated {path}")
    console.print(f"{len(changed)} document(s) changed in {docs_dir}")


@app.command()
def check(docs_dir: DocsDir = DOCS_DIR) -> None:
    """Exit 1, listing the differences, when the committed documents and the code differ."""
    found = differences(docs_dir)
    for name, diff in found.items():
        console.print(f"[red]{name} differs from the code[/]", markup=True)
        console.print(diff, markup=False, highlight=False)
    if found:
        console.print(f"{len(found)} document(s) out of date: {REGENERATE}")
        raise typer.Exit(1)
    console.print(f"docs/api is current ({docs_dir})")
