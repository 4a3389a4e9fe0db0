"""Back-pressure: a bounded number of requests in flight per web process.

A WSGI middleware, the outermost layer but the proxy fix. Each request is
given its request id (see `trace`), then:

- `/healthz`, `/metrics`, Socket.IO (long-lived connections, which the
  realtime layer bounds itself) and static files pass without counting;
- a request whose client has already gone (it closed the connection while the
  request waited for a worker thread or greenlet) is dropped unworked;
- past `MAX_IN_FLIGHT` requests being worked on (from the app's start until
  its response is ready), the answer is 503 at once,
  with `Retry-After` and a message in the reader's language (JSON for the API
  and for callers that ask for JSON, else a small page that reloads itself);
- requests that may write (any method but GET, HEAD and OPTIONS) have a
  smaller bound of their own, `MAX_WRITES_IN_FLIGHT`: on SQLite writers wait
  for one write lock, so in a surge of POSTs they would fill every slot
  waiting and the reads people look at (which never wait for that lock) would
  be refused. The writes are refused first, and the reads keep the rest.

The count is a plain counter under a lock: a real lock under gthread, a
cooperative one under gevent (gunicorn patches `threading`), so the bound
holds under both worker classes. Under gthread the worker's thread pool must
be larger than the bound, or the excess waits in gunicorn's queue instead of
being refused here."""

from __future__ import annotations

import html
import json
import logging
import select
import socket
import threading
import time
from collections.abc import Callable, Iterable
from functools import cache
from typing import Any

from babel.support import NullTranslations, Translations
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header

from coordinator.i18n import N_, TRANSLATIONS
from coordinator.ops import metrics, trace

log = logging.getLogger("birlik.pressure")
# Static files and npm assets pass too: a page that got through should get
# its stylesheet and scripts (they are files, not work), however busy.
EXEMPT_PREFIXES = ("/healthz", "/metrics", "/socket.io", "/static/", "/vendor/")
STARTED_KEY = "birlik.started"
LANGUAGES = ("en", "ru", "kk")
READS = ("GET", "HEAD", "OPTIONS")
T_BUSY = N_("The service is busy. Try again in %(seconds)s seconds.")
T_TITLE = N_("Busy")

WsgiApp = Callable[[dict[str, Any], Callable], Iterable[bytes]]


@cache
def _translations(lang: str) -> NullTranslations:
    if lang == "en":
        return NullTranslations()
    return Translations.load(str(TRANSLATIONS), [lang])


def _language(environ: dict[str, Any]) -> str:
    """The reader's language from Accept-Language (the busy answer is made
    without touching the session or the database)."""
    accept = parse_accept_header(environ.get("HTTP_ACCEPT_LANGUAGE"), LanguageAccept)
    return accept.best_match(LANGUAGES) or "en"


def _wants_json(environ: dict[str, Any]) -> bool:
    if environ.get("PATH_INFO", "").startswith("/api/"):
        return True
    accept = environ.get("HTTP_ACCEPT", "")
    return "application/json" in accept and "text/html" not in accept


def client_gone(environ: dict[str, Any]) -> bool:
    """Whether the client closed its connection: the socket reads as end of
    file. Peeked without blocking and without consuming a byte (a body not
    read yet stays for the app). A socket with nothing to read is alive."""
    sock = environ.get("gunicorn.socket")
    if sock is None:
        return False
    try:
        readable, _, _ = select.select([sock], [], [], 0)
        if not readable:
            return False
        return sock.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT) == b""
    except (BlockingIOError, InterruptedError):
        return False
    except (ConnectionResetError, BrokenPipeError):
        return True
    except (OSError, ValueError):
        return False  # not a socket we can look at: work on it as usual


class Pressure:
    """The middleware (see the module docstring)."""

    def __init__(self, app: WsgiApp, *, limit: int, retry_after: int, write_limit: int = 0) -> None:
        self.app = app
        self.limit = limit
        self.write_limit = write_limit
        self.retry_after = retry_after
        self.in_flight = 0
        self.writes_in_flight = 0
        self._lock = threading.Lock()

    def _enter(self, writes: bool) -> bool:
        with self._lock:
            if self.limit and self.in_flight >= self.limit:
                return False
            if writes and self.write_limit and self.writes_in_flight >= self.write_limit:
                return False
            self.in_flight += 1
            self.writes_in_flight += writes
            return True

    def _leave(self, writes: bool) -> None:
        with self._lock:
            self.in_flight -= 1
            self.writes_in_flight -= writes

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        request_id = trace.new_id(environ.get("HTTP_X_REQUEST_ID"))
        environ[trace.ENVIRON_KEY] = request_id
        environ.setdefault(STARTED_KEY, time.perf_counter())

        def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Callable:
            headers = [(k, v) for k, v in headers if k.lower() != "x-request-id"]
            return start_response(status, [*headers, (trace.HEADER, request_id)], exc_info)

        with trace.bound(request_id):
            path = environ.get("PATH_INFO", "")
            if path.startswith(EXEMPT_PREFIXES):
                return self.app(environ, start)
            if client_gone(environ):
                metrics.abandoned()
                log.info("client gone before the request was worked on: %s %s", environ.get("REQUEST_METHOD"), path)
                start("499 Client Closed Request", [("Content-Length", "0")])
                return []
            writes = environ.get("REQUEST_METHOD") not in READS
            if not self._enter(writes):
                metrics.refused()
                log.warning(
                    "busy (%d in flight, %d writing): refused %s %s",
                    self.in_flight,
                    self.writes_in_flight,
                    environ.get("REQUEST_METHOD"),
                    path,
                )
                return self._busy(environ, start)
            # Flask has done the work when it returns (the body is ready;
            # sending it is gunicorn's I/O), so the slot is freed then.
            try:
                return self.app(environ, start)
            finally:
                self._leave(writes)

    def _busy(self, environ: dict[str, Any], start: Callable) -> list[bytes]:
        lang = _language(environ)
        tr = _translations(lang)
        message = tr.gettext(T_BUSY) % {"seconds": self.retry_after}
        headers = [("Retry-After", str(self.retry_after)), ("Cache-Control", "no-store"), ("Content-Language", lang)]
        if _wants_json(environ):
            body = json.dumps(
                {
                    "code": 503,
                    "status": "Service Unavailable",
                    "message": message,
                    "msgid": T_BUSY,
                    "params": {"seconds": self.retry_after},
                    "retry_after": self.retry_after,
                },
                ensure_ascii=False,
            ).encode()
            headers.append(("Content-Type", "application/json"))
        else:
            reload = (
                f'<meta http-equiv="refresh" content="{self.retry_after}">'
                if environ.get("REQUEST_METHOD") in ("GET", "HEAD")
                else ""
            )
            body = (
                f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
                f'<meta name="viewport" content="width=device-width, initial-scale=1">{reload}'
                f"<title>{html.escape(tr.gettext(T_TITLE))}</title></head>"
                f"<body><p>{html.escape(message)}</p></body></html>"
            ).encode()
            headers += [("Content-Type", "text/html; charset=utf-8"), ("Content-Security-Policy", "default-src 'none'")]
        headers.append(("Content-Length", str(len(body))))
        start("503 Service Unavailable", headers)
        return [body]
