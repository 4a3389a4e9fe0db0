"""Database engine set-up: SQLite (WAL, foreign keys) or PostgreSQL.

On SQLite a transaction that may write takes the write lock at BEGIN
(IMMEDIATE), so two writers never deadlock on the upgrade. A GET or HEAD
request only reads: its transaction begins DEFERRED and, in WAL mode, reads a
snapshot without waiting for a writer, so a surge of writes never stalls the
pages and lists people are looking at. A GET that does write (a recorded view
of personal data) says so first with `will_write`."""

from __future__ import annotations

import logging
import sqlite3
import time
from pathlib import Path

from flask import Flask, g, has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, scoped_session

from coordinator.common import green
from coordinator.extensions import db

log = logging.getLogger("birlik.database")
BUSY_SECONDS = 30  # how long a writer waits for SQLite's write lock


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    if isinstance(dbapi_conn, sqlite3.Connection):
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        # SQLite's own wait for the lock sleeps in C: under gevent it would
        # stop every greenlet, the lock's holder included, for the whole
        # timeout. There BEGIN waits instead, cooperatively (below).
        cur.execute(f"PRAGMA busy_timeout={0 if green.patched() else BUSY_SECONDS * 1000}")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()


_WRITES = "birlik_writes"


def _reading() -> bool:
    return has_request_context() and request.method in ("GET", "HEAD") and not g.get(_WRITES, False)


def will_write(session: Session | scoped_session) -> None:
    """This GET request writes: its transaction takes the write lock from the
    start (the read-only one it may have begun ends here; nothing is pending)."""
    if has_request_context():
        setattr(g, _WRITES, True)
    session.rollback()


def _flush_in_read(session: Session, _context, _instances) -> None:
    # A GET that writes without `will_write` still works, but under a writer
    # its stale snapshot may be refused: say where, so it gets its call.
    if _reading() and (session.new or session.dirty or session.deleted):
        log.warning(
            "%s %s writes in a read-only transaction: call database.will_write first", request.method, request.path
        )


def _sqlite_begin(conn) -> None:
    if _reading():
        conn.exec_driver_sql("BEGIN")
        return
    # Take the write lock at BEGIN so two writers never deadlock on upgrade.
    if not green.patched():
        conn.exec_driver_sql("BEGIN IMMEDIATE")
        return
    # Under gevent, a greenlet holding the lock may be waiting on Redis or a
    # socket: sleep (yielding to it) and try again, up to the same timeout.
    deadline = time.monotonic() + BUSY_SECONDS
    pause = 0.001
    while True:
        try:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
            return
        except OperationalError as exc:
            busy = "locked" in str(exc.orig) or "busy" in str(exc.orig)
            if not busy or time.monotonic() > deadline:
                raise
        time.sleep(pause)
        pause = min(pause * 2, 0.05)


def init_app(app: Flask) -> None:
    url = make_url(app.config["DATABASE_URL"])
    # One connection per request being worked on (BIRLIK_MAX_IN_FLIGHT) and
    # room for socket handlers and background threads: never a wait on the pool.
    options: dict = {"pool_pre_ping": True, "pool_size": 20, "max_overflow": 20}
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        options["connect_args"] = {"timeout": 0 if green.patched() else BUSY_SECONDS, "check_same_thread": False}
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options
    db.init_app(app)
    with app.app_context():
        engine = db.engine
        if engine.dialect.name == "sqlite":
            _setup_sqlite(engine)


def _setup_sqlite(engine: Engine) -> None:
    if not event.contains(engine, "connect", _sqlite_pragmas):
        event.listen(engine, "connect", _sqlite_pragmas)
        # pysqlite's own transaction handling is turned off so BEGIN is ours.
        event.listen(engine, "connect", lambda c, r: setattr(c, "isolation_level", None))
        event.listen(engine, "begin", _sqlite_begin)
    if not event.contains(Session, "before_flush", _flush_in_read):
        event.listen(Session, "before_flush", _flush_in_read)
