"""Request ids and JSON log lines, one set-up for web processes and workers.

Every web request gets an id (the caller's `X-Request-ID` when it is sane,
else a new one). It is in every log line written while the request runs, in
the response's `X-Request-ID` header, in the outbox rows the request's
transaction declares, in the meta of the RQ jobs they become, and so in the
log lines and events of those jobs: `grep <id>` follows a placement from the
POST through its job to the emitted event."""

from __future__ import annotations

import contextvars
import json
import logging
import re
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

HEADER = "X-Request-ID"
ENVIRON_KEY = "birlik.request_id"
# Ids from outside are logged and echoed: short, and nothing that could break
# a log line or a header.
_SANE = re.compile(r"^[A-Za-z0-9._:-]{8,64}$")
_current: contextvars.ContextVar[str | None] = contextvars.ContextVar("birlik_request_id", default=None)
_job: contextvars.ContextVar[str | None] = contextvars.ContextVar("birlik_job", default=None)


def new_id(given: str | None = None) -> str:
    """The caller's id when sane, else a fresh one."""
    if given and _SANE.match(given):
        return given
    return uuid.uuid4().hex


def current() -> str | None:
    """The request id of the request or job running now (None outside both)."""
    return _current.get()


@contextmanager
def bound(request_id: str | None, job: str | None = None) -> Iterator[None]:
    """Run a block with this request id (and job name) in every log line."""
    tokens = (_current.set(request_id), _job.set(job))
    try:
        yield
    finally:
        _current.reset(tokens[0])
        _job.reset(tokens[1])


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request id,
    job, and any `extra={"fields": {...}}` the caller gave."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        request_id = _current.get()
        if request_id:
            line["request_id"] = request_id
        job = _job.get()
        if job:
            line["job"] = job
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            line.update(fields)
        if record.exc_info:
            line["exc"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


def _birlik_handler(handler: logging.Handler) -> bool:
    return getattr(handler, "_birlik", False)


def configure(level: str = "INFO") -> None:
    """JSON lines on stderr for the root logger (idempotent: once per process).
    Gunicorn's own loggers get the same format through `logconfig`."""
    root = logging.getLogger()
    if not any(_birlik_handler(h) for h in root.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(JsonFormatter())
        handler._birlik = True  # type: ignore[attr-defined]
        root.addHandler(handler)
    root.setLevel(level)


def logconfig(level: str = "INFO") -> dict[str, Any]:
    """A logging dictConfig for gunicorn (its error and access logs as JSON lines)."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": JsonFormatter}},
        "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"}},
        "root": {"level": level, "handlers": []},  # the app adds its own (`configure`)
        "loggers": {
            "gunicorn.error": {"level": level, "handlers": ["stderr"], "propagate": False},
            "gunicorn.access": {"level": level, "handlers": ["stderr"], "propagate": False},
        },
    }
