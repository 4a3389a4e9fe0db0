"""Fixtures: a real Redis (Valkey), real SQLite and PostgreSQL databases made
fresh for each test from a migrated template, the app, an HTTP client, a live
server with Socket.IO clients, and an in-process RQ worker."""

from __future__ import annotations

import itertools
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import redis
import socketio
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from coordinator import create_app
from coordinator.cli import upgrade_database
from coordinator.embedded_redis import PrivateRedis
from coordinator.extensions import db
from tests import factories
from tests.servers import Postgres, WebServer

BACKENDS = ("sqlite", "postgresql")
_counter = itertools.count()


@pytest.fixture(scope="session")
def redis_base_url(tmp_path_factory) -> Iterator[str]:
    if os.environ.get("BIRLIK_TEST_REDIS_URL"):
        yield os.environ["BIRLIK_TEST_REDIS_URL"]
        return
    server = PrivateRedis(tmp_path_factory.mktemp("valkey"))
    yield server.start().rsplit("/", 1)[0]
    server.stop()


@pytest.fixture
def redis_url(redis_base_url) -> str:
    url = redis_base_url.rstrip("/") + "/1"
    redis.Redis.from_url(url).flushdb()
    return url


@pytest.fixture(scope="session")
def postgres_url(tmp_path_factory) -> Iterator[str]:
    if os.environ.get("BIRLIK_TEST_POSTGRES_URL"):
        yield os.environ["BIRLIK_TEST_POSTGRES_URL"]
        return
    pg = Postgres(Path("/tmp") / f"birlik-pg-{os.getpid()}")
    url = pg.start()
    yield url
    pg.stop()
    shutil.rmtree(pg.base, ignore_errors=True)


def _migrate(url: str, redis_url: str) -> None:
    app = create_app({"TESTING": True, "SECRET_KEY": "t", "DATABASE_URL": url, "REDIS_URL": redis_url})
    with app.app_context():
        upgrade_database()
        db.engine.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory, redis_base_url) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    _migrate(f"sqlite:///{path}", redis_base_url.rstrip("/") + "/15")
    return path


@pytest.fixture(scope="session")
def postgres_template(postgres_url, redis_base_url) -> str:
    engine = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text("DROP DATABASE IF EXISTS birlik_template"))
        conn.execute(text("CREATE DATABASE birlik_template"))
    engine.dispose()
    _migrate(postgres_url.rsplit("/", 1)[0] + "/birlik_template", redis_base_url.rstrip("/") + "/15")
    return "birlik_template"


@pytest.fixture(params=BACKENDS)
def database_url(request, tmp_path) -> Iterator[str]:
    if request.param == "sqlite":
        path = tmp_path / "birlik.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    server = request.getfixturevalue("postgres_url")
    template = request.getfixturevalue("postgres_template")
    name = f"t_{os.getpid()}_{next(_counter)}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name} TEMPLATE {template}"))
    yield server.rsplit("/", 1)[0] + "/" + name
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
    admin.dispose()


@pytest.fixture
def config(database_url, redis_url, tmp_path) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "VAR_DIR": str(tmp_path / "var"),
        "LOGIN_SLOW_SECONDS": 0.01,
    }


@pytest.fixture
def app(config):
    # No app context stays pushed: each request (and job run) gets its own,
    # as in production, so `g` and the scoped session never leak between them.
    app = create_app(config)
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def db_session(database_url) -> Iterator[Session]:
    """A session of the test's own, for factories and for checking results.
    It has its own engine with ordinary (deferred) transactions, so a test
    that only reads never holds SQLite's write lock against the app."""
    engine = create_engine(database_url, connect_args={"timeout": 30} if database_url.startswith("sqlite") else {})
    session = Session(bind=engine, expire_on_commit=False)
    yield session
    session.close()
    engine.dispose()


@pytest.fixture
def make(db_session) -> factories.Factory:
    """Data factory bound to the test's database."""
    return factories.Factory(db_session)


@pytest.fixture
def live_server(app, config, tmp_path) -> Iterator[WebServer]:
    env = {
        "BIRLIK_DATABASE_URL": config["DATABASE_URL"],
        "BIRLIK_REDIS_URL": config["REDIS_URL"],
        "BIRLIK_SECRET_KEY": config["SECRET_KEY"],
        "BIRLIK_VAR_DIR": config["VAR_DIR"],
    }
    server = WebServer(env, tmp_path / "web.log").start()
    yield server
    server.stop()


@pytest.fixture
def socket_client(live_server) -> Iterator[Callable[..., socketio.Client]]:
    """Connects real python-socketio clients to the live server."""
    clients: list[socketio.Client] = []

    def connect(token: str | None, **auth) -> socketio.Client:
        sio = socketio.Client(reconnection=False)
        sio.received = []  # type: ignore[attr-defined]
        sio.on("event", lambda payload: sio.received.append(payload))
        sio.on("welcome", lambda payload: setattr(sio, "welcome", payload))
        sio.connect(
            live_server.url,
            auth={"token": token, **auth} if token else auth or None,
            transports=["websocket"],
            wait_timeout=10,
        )
        clients.append(sio)
        return sio

    yield connect
    for sio in clients:
        if sio.connected:
            sio.disconnect()


@pytest.fixture
def run_jobs(app) -> Callable[[], int]:
    """Runs every queued job in this process, as a worker would; returns how many ran."""
    from rq import SimpleWorker

    from coordinator.queue import connection, get_queue

    def run() -> int:
        with app.app_context():
            queues = [get_queue(q) for q in app.config["RQ_QUEUES"]]
            done_before = sum(q.finished_job_registry.count for q in queues)
            SimpleWorker(queues, connection=connection()).work(burst=True)
            return sum(q.finished_job_registry.count for q in queues) - done_before

    return run


@pytest.fixture
def enqueue(app) -> Callable[..., object]:
    """Queue a job by name as the app would (for jobs the scheduler normally queues)."""
    from coordinator import queue

    def put(name: str, *args):
        with app.app_context():
            return queue.enqueue(name, *args)

    return put
