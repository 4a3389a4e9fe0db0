"""Database engine set-up: SQLite (WAL, foreign keys) or PostgreSQL.

On SQLite a transaction that may write takes the write lock at BEGIN
(IMMEDIATE), so two writers never deadlock on the upgrade. Before that it
takes Birlik's writer lock, a file lock beside the database (`WriterLock`):
SQLite's own wait sleeps in steps that grow to 100 ms and wakes to find the
lock taken again, so under a stream of short writes one writer could wait a
second for a lock nobody held longer than a few milliseconds. The kernel
hands a file lock over as soon as it is let go. A GET or HEAD
request only reads: its transaction begins DEFERRED and, in WAL mode, reads a
snapshot without waiting for a writer, so a surge of writes never stalls the
pages and lists people are looking at. A GET that does write (a recorded view
of personal data) says so first with `will_write`."""

from __future__ import annotations

import contextvars
import fcntl
import logging
import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
from flask import Flask, g, has_request_context, request
from sqlalchemy import event, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import OperationalError, PendingRollbackError, SQLAlchemyError
from sqlalchemy.orm import Session, scoped_session

from coordinator.common import green
from coordinator.extensions import db

log = logging.getLogger("birlik.database")
BUSY_SECONDS = 30  # how long a writer waits for SQLite's write lock
AUTOCHECKPOINT_PAGES = 20000  # SQLite's default is 1,000 (4 MB); see `checkpoint`


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
        # A commit that filled the WAL copied it into the database inside
        # COMMIT, with the fsyncs: ~100 ms for one request or job in some
        # hundreds, holding the writer lock. Workers' upkeep checkpoints
        # instead (`checkpoint`); this larger bound only keeps the WAL from
        # growing without end when no worker runs.
        cur.execute(f"PRAGMA wal_autocheckpoint={AUTOCHECKPOINT_PAGES}")
        cur.close()


class WriterLock(sqlite3.Connection):
    """A SQLite connection that takes the writer lock (`<database>-writer.lock`)
    before its transaction takes SQLite's write lock, and lets it go when the
    transaction ends (commit, rollback, close). A process that dies lets it go
    too: the kernel releases a dead process's file locks."""

    def __init__(self, database, *args, **kwargs) -> None:
        super().__init__(database, *args, **kwargs)
        name = os.fspath(database)
        self._lock_path = None if name in ("", ":memory:") or name.startswith("file:") else f"{name}-writer.lock"
        self._lock_fd: int | None = None
        self._held = False

    def take_writer_lock(self) -> None:
        if self._lock_path is None or self._held:
            return
        if self._lock_fd is None:
            self._lock_fd = os.open(self._lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        if green.patched():
            _green_flock(self._lock_fd)
        else:
            fcntl.flock(self._lock_fd, fcntl.LOCK_EX)  # waits without the GIL, woken at release
        self._held = True

    def let_go(self) -> None:
        if self._held:
            self._held = False
            fcntl.flock(self._lock_fd, fcntl.LOCK_UN)

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            self.let_go()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self.let_go()

    def close(self) -> None:
        try:
            super().close()
        finally:
            self.let_go()
            if self._lock_fd is not None:
                os.close(self._lock_fd)
                self._lock_fd = None


def _green_flock(fd: int) -> None:
    # Under gevent a blocking flock would stop every greenlet, the holder's
    # included: try, and yield between tries.
    deadline = time.monotonic() + BUSY_SECONDS
    pause = 0.0005
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() > deadline:
                locked = sqlite3.OperationalError("database is locked")
                raise OperationalError("BEGIN IMMEDIATE", None, locked) from None
        time.sleep(pause)
        pause = min(pause * 2, 0.005)


_WRITES = "birlik_writes"
_DRIVER = "birlik_driver_connection"  # the PostgreSQL transaction's own, for `drop_if_cut_off`
_LOOKING: contextvars.ContextVar[bool] = contextvars.ContextVar("birlik_only_reading", default=False)


def _reading() -> bool:
    if _LOOKING.get():
        return True
    return has_request_context() and request.method in ("GET", "HEAD") and not g.get(_WRITES, False)


@contextmanager
def reading(session: Session | scoped_session) -> Iterator[None]:
    """A block that only reads, outside a GET request (a job's first look).
    On SQLite its transaction begins DEFERRED and takes no write lock: a
    surge's dispatch jobs mostly find their request left to the gathered
    batch or placed already, and each took the lock for that look, 50 times
    a second, in the POSTs' way. There the transaction ends with the block
    (rolled back: nothing was written), so a write after it begins one of
    its own. On PostgreSQL, where readers wait for no writer, the block
    simply goes on into what follows."""
    own = session() if isinstance(session, scoped_session) else session
    if own.get_bind().dialect.name != "sqlite":
        yield
        return
    if own.in_transaction():
        raise RuntimeError("database.reading begins its own transaction: commit or roll back first")
    token = _LOOKING.set(True)
    try:
        yield
    finally:
        _LOOKING.reset(token)
        own.rollback()


def will_write(session: Session | scoped_session) -> None:
    """This GET request writes: its transaction takes the write lock from the
    start (the read-only one it may have begun ends here; nothing is pending)."""
    if has_request_context():
        setattr(g, _WRITES, True)
    session.rollback()


def commit_keeping(session: Session | scoped_session) -> None:
    """Commit, and keep the objects as the transaction left them (not
    expired). For a write request whose response shows what it wrote itself:
    reloading that after the commit begins a second transaction (on SQLite a
    second wait for the write lock, behind the dispatch the commit just
    queued) only to read back its own write."""
    own = session() if isinstance(session, scoped_session) else session
    keep, own.expire_on_commit = own.expire_on_commit, False
    try:
        own.commit()
    finally:
        own.expire_on_commit = keep


def _remember_driver(session: Session, _transaction, connection) -> None:
    # Read by `drop_if_cut_off`, which must not touch the session: by then its
    # transaction may be half rolled back and `connection()` would raise.
    if connection.dialect.name == "postgresql":
        session.info[_DRIVER] = connection.connection.dbapi_connection


def _forget_driver(session: Session, transaction) -> None:
    driver = session.info.get(_DRIVER)
    # A connection still busy with a statement is never handed to anyone else
    # (the pool cannot reset it and drops it): kept for `drop_if_cut_off`.
    if transaction.parent is None and not (driver is not None and _busy(driver)):
        session.info.pop(_DRIVER, None)


def _busy(driver) -> bool:
    return not driver.closed and driver.info.transaction_status == psycopg.pq.TransactionStatus.ACTIVE


def drop_if_cut_off(session: Session) -> bool:
    """Whether a statement of this session was cut off half way (a job's time
    limit, SIGALRM, struck while it ran on PostgreSQL), in which case its
    connection is dropped and its server process ended. That connection can
    no longer even roll back ("another command is already in progress"), and
    the statement still runs on the server, holding its locks, until it ends
    or the server notices the client has gone. Call it before any rollback;
    it never raises (a failure is logged). The session is usable again."""
    driver = session.info.pop(_DRIVER, None)
    if driver is None or not _busy(driver):
        return False
    pid = driver.info.backend_pid
    try:
        with session.get_bind().connect() as conn:
            conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
            conn.commit()
    except SQLAlchemyError as exc:
        log.warning("a statement cut off half way still runs in server process %s (%s)", pid, exc)
    # The connection first: closing the session would otherwise roll back an
    # open savepoint on it (a batch's holds are in one), and fail like anything
    # sent. A session whose flush failed will not give its connection: it is
    # closed as before.
    try:
        session.connection().invalidate()
    except PendingRollbackError:
        pass
    session.invalidate()
    return True


def _flush_in_read(session: Session, _context, _instances) -> None:
    # A GET that writes without `will_write` still works, but under a writer
    # its stale snapshot may be refused: say where, so it gets its call.
    if _reading() and (session.new or session.dirty or session.deleted):
        where = f"{request.method} {request.path}" if has_request_context() else "A database.reading block"
        log.warning("%s writes in a read-only transaction: call database.will_write first", where)


def _sqlite_begin(conn) -> None:
    if _reading():
        conn.exec_driver_sql("BEGIN")
        return
    dbapi = conn.connection.dbapi_connection
    if isinstance(dbapi, WriterLock):
        dbapi.take_writer_lock()
    try:
        _begin_immediate(conn)
    except BaseException:
        if isinstance(dbapi, WriterLock):
            dbapi.let_go()
        raise


def _begin_immediate(conn) -> None:
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


def checkpoint(engine: Engine) -> None:
    """SQLite: copy the WAL into the database beside the writers, not inside
    one's commit (PASSIVE: waits for no reader or writer). For the worker's upkeep."""
    if engine.dialect.name != "sqlite":
        return
    raw = engine.raw_connection()  # outside any transaction: no BEGIN, no writer lock
    try:
        raw.driver_connection.execute("PRAGMA wal_checkpoint(PASSIVE)").close()
    finally:
        raw.close()


def init_app(app: Flask) -> None:
    url = make_url(app.config["DATABASE_URL"])
    # One connection per request being worked on (BIRLIK_MAX_IN_FLIGHT) and
    # room for socket handlers and background threads: never a wait on the pool.
    options: dict = {"pool_pre_ping": True, "pool_size": 20, "max_overflow": 20}
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        options["connect_args"] = {
            "timeout": 0 if green.patched() else BUSY_SECONDS,
            "check_same_thread": False,
            "factory": WriterLock,
        }
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options
    db.init_app(app)
    if not event.contains(Session, "after_begin", _remember_driver):
        event.listen(Session, "after_begin", _remember_driver)
        event.listen(Session, "after_transaction_end", _forget_driver)
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
