"""Fixtures: a real Redis (Valkey), real SQLite and PostgreSQL databases made
fresh for each test from a migrated template, the app, an HTTP client, a live
server with Socket.IO clients, an in-process RQ worker and worker processes;
and the helpers tests share: signing the client in, API calls, row counts,
waiting for a condition, and reading server-rendered HTML."""

from __future__ import annotations

import itertools
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
import redis
import socketio
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.orm import Session

from coordinator import create_app
from coordinator.cli import upgrade_database
from coordinator.embedded_redis import PrivateRedis
from coordinator.extensions import db
from tests import factories
from tests.servers import ROOT, Postgres, WebServer

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
def postgres_server() -> Iterator[Postgres | None]:
    """The suite's own PostgreSQL cluster (None with BIRLIK_TEST_POSTGRES_URL)."""
    if os.environ.get("BIRLIK_TEST_POSTGRES_URL"):
        yield None
        return
    pg = Postgres(Path("/tmp") / f"birlik-pg-{os.getpid()}")
    pg.start()
    yield pg
    pg.stop()
    shutil.rmtree(pg.base, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_url(postgres_server) -> str:
    if postgres_server is None:
        return os.environ["BIRLIK_TEST_POSTGRES_URL"]
    return postgres_server.url


@pytest.fixture(scope="session")
def postgres_log(postgres_server) -> Path | None:
    """The server log of the suite's own cluster (a server from outside
    keeps its log where the tests cannot read it: None)."""
    return postgres_server.log if postgres_server is not None else None


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
        "EVENT_NUMBER_WAIT": 5.0,  # as TestConfig's live servers: a write's events are in the feed when it answers
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
def live_server(request, app, config, tmp_path) -> Iterator[WebServer]:
    role = request.node.get_closest_marker("web_role")
    env = {
        "BIRLIK_WEB_ROLE": role.args[0] if role else "all",
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

    def connect(token: str | None, *, wait_timeout: float = 10, **auth) -> socketio.Client:
        sio = socketio.Client(reconnection=False)
        sio.received = []  # type: ignore[attr-defined]
        sio.on("event", lambda payload: sio.received.append(payload))
        sio.on("welcome", lambda payload: setattr(sio, "welcome", payload))
        sio.connect(
            live_server.url,
            auth={"token": token, **auth} if token else auth or None,
            transports=["websocket"],
            wait_timeout=wait_timeout,
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


@pytest.fixture
def burst_workers(config) -> Callable[..., list[str]]:
    """Runs `flask --app coordinator worker --burst` in n separate processes at
    once, as production does; fails the test if one of them fails, else returns
    what each wrote to stderr."""

    def run(n: int = 1, timeout: float = 600) -> list[str]:
        env = {
            **os.environ,
            "BIRLIK_ENV": "test",
            "BIRLIK_DATABASE_URL": config["DATABASE_URL"],
            "BIRLIK_REDIS_URL": config["REDIS_URL"],
            "BIRLIK_SECRET_KEY": "x",
        }
        procs = [
            subprocess.Popen(
                [sys.executable, "-m", "flask", "--app", "coordinator", "worker", "--burst"],
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(n)
        ]
        errors = []
        for proc in procs:
            _, err = proc.communicate(timeout=timeout)
            assert proc.returncode == 0, err[-3000:]
            errors.append(err)
        return errors

    return run


# ---- helpers shared by test modules ----


@pytest.fixture
def hq(make) -> factories.Account:
    """A national HQ account."""
    return make.account("hq")


@pytest.fixture
def api(client, hq) -> Callable[..., tuple[int, object]]:
    """Call the API as national HQ, or as the account given:
    api("post", "/placements", json=...) -> (status, body)."""

    def call(method: str, path: str, account: factories.Account | None = None, **kwargs):
        resp = client.open("/api/v1" + path, method=method.upper(), headers=(account or hq).auth, **kwargs)
        return resp.status_code, resp.get_json()

    return call


@pytest.fixture
def csrf_token(client) -> Callable[..., str]:
    """The CSRF token of a form page, as a browser would read it: csrf_token("/login")."""

    def read(path: str = "/login") -> str:
        html = client.get(path).get_data(as_text=True)
        return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)

    return read


@pytest.fixture
def login(client, csrf_token) -> Callable[[factories.Account], None]:
    """Signs the test client in through the /login form (a session cookie, as in a browser)."""

    def sign_in(account: factories.Account) -> None:
        resp = client.post(
            "/login",
            data={"username": account.user.username, "password": account.password, "csrf_token": csrf_token()},
        )
        assert resp.status_code == 302

    return sign_in


@pytest.fixture
def count(db_session) -> Callable[..., int]:
    """How many rows of a model the database holds now: count(Facility)."""

    def rows(model, *where) -> int:
        db_session.expire_all()
        return db_session.scalar(select(func.count(model.id)).where(*where))

    return rows


@pytest.fixture
def workers(config, tmp_path) -> Iterator[Callable[..., list[subprocess.Popen]]]:
    """Starts worker processes (`flask --app coordinator worker`) as production
    does, with extra settings; kills what is left at the end."""
    procs: list[subprocess.Popen] = []
    # A worker killed by a test leaves its solver forkserver's socket
    # directory behind (a clean stop removes it): in one of the test's own,
    # short, as a socket's path must be (107 bytes; tmp_path can come close).
    scratch = tempfile.mkdtemp(prefix="birlik-w-", dir="/tmp")

    def start(n: int = 1, **settings: str) -> list[subprocess.Popen]:
        env = {
            **os.environ,
            "PYTHONUNBUFFERED": "1",  # the log is complete even when the test kills the worker
            "BIRLIK_ENV": "test",
            "BIRLIK_DATABASE_URL": config["DATABASE_URL"],
            "BIRLIK_VAR_DIR": config["VAR_DIR"],  # its metrics files too, not the repository's var/
            "BIRLIK_REDIS_URL": config["REDIS_URL"],
            "BIRLIK_SECRET_KEY": "x",
            "TMPDIR": scratch,
            **{f"BIRLIK_{k}": v for k, v in settings.items()},
        }
        new = []
        for _ in range(n):
            log = open(tmp_path / f"worker-{len(procs)}.log", "wb")  # noqa: SIM115  (closed with the process)
            proc = subprocess.Popen(
                [sys.executable, "-m", "flask", "--app", "coordinator", "worker"],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            proc.log = log  # type: ignore[attr-defined]
            procs.append(proc)
            new.append(proc)
        return new

    yield start
    for proc in procs:
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
        proc.wait()
        proc.log.close()  # type: ignore[attr-defined]
    shutil.rmtree(scratch, ignore_errors=True)


@pytest.fixture
def wait_for() -> Callable[..., bool]:
    """Polls a condition until it holds (True) or the time runs out (False)."""

    def poll(predicate: Callable[[], object], timeout: float = 10.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate():
                return True
            time.sleep(0.05)
        return False

    return poll


class HtmlPage(HTMLParser):
    """A server-rendered page read with the standard library: for every element
    with an id, the ids of the elements around it and its text."""

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self._open: list[tuple[str, str | None]] = []
        self._order: list[tuple[str, list[str]]] = []  # (id, ids of the elements around it), in page order
        self._text: dict[str, list[str]] = {}
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        element_id = dict(attrs).get("id")
        if element_id is not None:
            self._order.append((element_id, [i for _, i in self._open if i is not None]))
            self._text.setdefault(element_id, [])
        if tag not in self.VOID:
            self._open.append((tag, element_id))

    def handle_startendtag(self, tag, attrs):
        element_id = dict(attrs).get("id")
        if element_id is not None:
            self._order.append((element_id, [i for _, i in self._open if i is not None]))
            self._text.setdefault(element_id, [])

    def handle_endtag(self, tag):
        for at in range(len(self._open) - 1, -1, -1):
            if self._open[at][0] == tag:
                del self._open[at:]
                return

    def handle_data(self, data):
        for _, element_id in self._open:
            if element_id is not None:
                self._text[element_id].append(data)

    def ids(self) -> list[str]:
        """Every id on the page, in order (an id used twice is listed twice)."""
        return [element_id for element_id, _ in self._order]

    def inside(self, container_id: str) -> list[str]:
        """The ids of the elements inside the element with this id, in page order."""
        return [element_id for element_id, around in self._order if container_id in around]

    def text(self, element_id: str) -> str:
        """The element's text, entities decoded and white space collapsed."""
        return " ".join("".join(self._text[element_id]).split())

    def json(self, script_id: str):
        """The data of a <script type="application/json" id=...> block."""
        return json.loads("".join(self._text[script_id]))


@pytest.fixture
def parse_html() -> Callable[[str], HtmlPage]:
    """Reads a page's HTML: parse_html(html).inside("board-waiting"), .text(id), .json(id)."""
    return HtmlPage
