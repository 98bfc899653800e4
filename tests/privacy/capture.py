"""Capture every log record of the process at DEBUG, rendered as production renders it.

Each record is rendered with the production JSON formatter (message, ``extra`` fields,
exception and traceback) and also with its raw ``args`` and ``__dict__``, so a secret
passed as an argument or an ``extra`` field is seen even where a formatter would drop it.
"""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager

from pythonjsonlogger.json import JsonFormatter

from csa_membership.domain.nin import is_valid_nin
from csa_shared.observability.logging import configure_logging

# Loggers that stay quiet at the root's level unless asked: the driver, the web server,
# the HTTP client, the Kafka client, and the services' own.
LOGGERS = (
    "",
    "asyncpg",
    "alembic",
    "uvicorn",
    "uvicorn.access",
    "uvicorn.error",
    "fastapi",
    "starlette",
    "httpx",
    "httpcore",
    "aiokafka",
    "kafka",
    "csa",
    "csa_shared",
    "csa_identity",
    "csa_membership",
    "csa_attendance",
    "csa_billing",
)
PRODUCTION = JsonFormatter(
    "%(asctime)s %(levelname)s %(name)s %(message)s",
    rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
)
THIRTEEN_DIGITS = re.compile(r"(?<!\d)\d{13}(?!\d)")


class Collector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.lines.append(PRODUCTION.format(record))
            self.lines.append(repr(record.args))
            self.lines.append(repr(record.__dict__))
        except Exception as exc:  # a record that cannot be rendered is itself a finding
            self.lines.append(f"UNRENDERABLE {record.name}: {exc!r} {record.msg!r}")

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


@contextmanager
def all_logs_at_debug() -> Iterator[Collector]:
    collector = Collector()
    saved = {name: logging.getLogger(name).level for name in LOGGERS}
    root = logging.getLogger()
    root.addHandler(collector)
    for name in LOGGERS:
        logging.getLogger(name).setLevel(logging.DEBUG)
    try:
        yield collector
    finally:
        root.removeHandler(collector)
        for name, level in saved.items():
            logging.getLogger(name).setLevel(level)


@contextmanager
def production_log_stream(level: str) -> Iterator[io.StringIO]:
    """``configure_logging(level)`` as ``csa serve`` does it, its JSON lines captured; the
    previous configuration is restored afterwards."""
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    quieted = ("aiokafka", "kafka", "sqlalchemy", "aiosqlite")
    levels = {name: logging.getLogger(name).level for name in quieted}
    configure_logging(level)
    stream = io.StringIO()
    (handler,) = root.handlers
    handler.setStream(stream)  # type: ignore[attr-defined]
    try:
        yield stream
    finally:
        root.handlers[:], _ = saved
        root.setLevel(saved[1])
        for name, previous in levels.items():
            logging.getLogger(name).setLevel(previous)


def leaks(text: str, secrets: dict[str, str]) -> dict[str, list[str]]:
    """Each secret (by label) found in ``text``, with a little context around each hit;
    plus every valid national identification number (13 digits with both check digits)."""
    found: dict[str, list[str]] = {}
    for label, value in secrets.items():
        pattern = re.compile(rf"(?<![\w.]){re.escape(value)}(?!\w)")
        hits = [text[max(0, m.start() - 80) : m.end() + 40] for m in pattern.finditer(text)]
        if hits:
            found[label] = hits[:3]
    nins = [m.group(0) for m in THIRTEEN_DIGITS.finditer(text) if is_valid_nin(m.group(0))]
    if nins:
        found["national id pattern"] = sorted(set(nins))[:5]
    return found
