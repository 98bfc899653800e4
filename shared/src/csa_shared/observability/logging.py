"""Logs on stdout: JSON lines (one object each) for machines, a readable line on a terminal.

Every line carries an ISO-8601 UTC timestamp and the request id of the request that caused
it; fields given with ``extra={...}`` become JSON keys (or ``key=value`` in readable lines).
"""

from __future__ import annotations

import logging
import sys
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any, Literal

from pythonjsonlogger.json import JsonEncoder, JsonFormatter

request_id: ContextVar[str | None] = ContextVar("request_id", default=None)

LogFormat = Literal["auto", "json", "text"]

# aiosqlite logs every statement with its parameters at DEBUG (national ids, codes): never
# below WARNING, whatever CSA_LOG_LEVEL; SQLAlchemy hides parameters itself too. fontTools
# (fpdf2's font subsetting) logs a line per glyph table at INFO for every PDF.
QUIETED = ("aiokafka", "kafka", "sqlalchemy", "aiosqlite", "fontTools")

# what ``logging.LogRecord`` has by itself; anything else on a record came from ``extra``
_RECORD_ATTRIBUTES = frozenset(
    vars(logging.LogRecord("", 0, "", 0, "", None, None)).keys()
    | {"message", "asctime", "request_id", "taskName"}
)


def utc_timestamp(record: logging.LogRecord) -> str:
    """``2026-12-07T00:01:02.345Z``: ISO 8601, UTC, milliseconds."""
    moment = datetime.fromtimestamp(record.created, UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


class _RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        return True


class JsonLineFormatter(JsonFormatter):
    """One JSON object per line: ``time``, ``level``, ``logger``, ``message``,
    ``request_id`` and the record's extra fields."""

    def __init__(self) -> None:
        super().__init__(
            "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
            rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
        )
        # what `json.dumps(..., cls=JsonEncoder)` builds for every line, built once (the
        # same text: an encoder holds no state between lines)
        self._encoder = JsonEncoder(ensure_ascii=self.json_ensure_ascii, indent=self.json_indent)

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        return utc_timestamp(record)

    def jsonify_log_record(self, log_data: dict[str, Any]) -> str:
        return self._encoder.encode(log_data)


class ReadableFormatter(logging.Formatter):
    """``time LEVEL logger message key=value …`` for a developer's terminal (``csa run``)."""

    def format(self, record: logging.LogRecord) -> str:
        extras = " ".join(
            f"{key}={value}"
            for key, value in vars(record).items()
            if key not in _RECORD_ATTRIBUTES and not key.startswith("_")
        )
        line = f"{utc_timestamp(record)} {record.levelname:<7} {record.name}: {record.getMessage()}"
        if extras:
            line += f"  {extras}"
        if rid := getattr(record, "request_id", None):
            line += f"  [{rid}]"
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


def readable_wanted(log_format: LogFormat) -> bool:
    """``text`` always, ``json`` never, ``auto``: when stdout is a terminal."""
    if log_format == "auto":
        return sys.stdout.isatty()
    return log_format == "text"


def configure_logging(level: str = "INFO", log_format: LogFormat = "json") -> None:
    handler = logging.StreamHandler(sys.stdout)
    readable = readable_wanted(log_format)
    handler.setFormatter(ReadableFormatter() if readable else JsonLineFormatter())
    handler.addFilter(_RequestIdFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for noisy in QUIETED:
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
