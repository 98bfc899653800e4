"""Log lines: ISO-8601 UTC timestamps, extra fields as keys, readable lines on a terminal."""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Iterator

import pytest

from csa_shared.observability.logging import configure_logging, readable_wanted, request_id

ISO_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


@pytest.fixture
def configured() -> Iterator[io.StringIO]:
    """A buffer to configure logging into; the previous configuration restored after."""
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    font_level = logging.getLogger("fontTools").level
    stream = io.StringIO()
    yield stream
    root.handlers[:] = saved[0]
    root.setLevel(saved[1])
    logging.getLogger("fontTools").setLevel(font_level)


def _configure(stream: io.StringIO, log_format: str) -> None:
    configure_logging("INFO", log_format)  # type: ignore[arg-type]
    (handler,) = logging.getLogger().handlers
    handler.setStream(stream)  # type: ignore[attr-defined]


def test_json_line_has_an_iso_utc_time_the_request_id_and_the_extra_fields(configured) -> None:
    stream = configured
    _configure(stream, "json")
    token = request_id.set("req-7")
    try:
        logging.getLogger("csa_billing.close").info("period close finished", extra={"invoices": 5})
    finally:
        request_id.reset(token)
    line = json.loads(stream.getvalue().splitlines()[-1])
    assert ISO_UTC.match(line["time"]), line["time"]
    assert (line["level"], line["logger"], line["message"]) == (
        "INFO",
        "csa_billing.close",
        "period close finished",
    )
    assert (line["request_id"], line["invoices"]) == ("req-7", 5)


def test_readable_line_starts_with_the_time_and_lists_the_extra_fields(configured) -> None:
    stream = configured
    _configure(stream, "text")
    logging.getLogger("csa.access").info("GET /v1/x 200", extra={"duration_ms": 1.5})
    line = stream.getvalue().splitlines()[-1]
    stamp, level, rest = line.split(" ", 2)
    assert ISO_UTC.match(stamp), line
    assert level == "INFO"
    assert rest.strip().startswith("csa.access: GET /v1/x 200")
    assert "duration_ms=1.5" in rest
    with pytest.raises(json.JSONDecodeError):
        json.loads(line)


def test_auto_is_readable_only_on_a_terminal(monkeypatch) -> None:
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr("sys.stdout", io.StringIO())
    assert not readable_wanted("auto")
    assert readable_wanted("text")
    monkeypatch.setattr("sys.stdout", Tty())
    assert readable_wanted("auto")
    assert not readable_wanted("json")


def test_font_subsetting_chatter_is_silenced(configured) -> None:
    stream = configured
    _configure(stream, "json")
    logging.getLogger("fontTools.subset").info("Glyph names: [...]")
    logging.getLogger("fontTools.subset").warning("a real problem")
    lines = stream.getvalue().splitlines()
    assert [json.loads(line)["message"] for line in lines] == ["a real problem"]
