"""Settings classes. Values from the environment are read only by `from_env`,
which the app factory calls, so importing this module has no side effects."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PREFIX = "BIRLIK_"


class BaseConfig:
    """Defaults shared by every environment."""

    SECRET_KEY: str | None = None
    DATABASE_URL = f"sqlite:///{ROOT / 'var' / 'birlik.db'}"
    # None means: start (or reuse) the private embedded server under var/.
    REDIS_URL: str | None = None
    VAR_DIR = str(ROOT / "var")
    MAX_CONTENT_LENGTH = 2 * 1024 * 1024
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_SECURE = False
    WTF_CSRF_CHECK_DEFAULT = False  # checked in one place: coordinator.auth.security
    WTF_CSRF_TIME_LIMIT = None
    BABEL_DEFAULT_LOCALE = "en"
    # The zone of every time a person reads (pages, the browser, "today");
    # storage and the API stay in UTC. Kazakhstan is on UTC+5 since March 2024.
    TIMEZONE = "Asia/Almaty"
    LANGUAGES = ("en", "ru", "kk")
    LOGIN_SLOW_AFTER = 3
    LOGIN_LOCK_AFTER = 6
    LOGIN_LOCK_SECONDS = 900
    LOGIN_SLOW_SECONDS = 1.0
    # Addresses or networks (CIDR) of the reverse proxies in front of the app.
    # Only a request from one of them has its X-Forwarded-For/-Proto honoured.
    TRUSTED_PROXIES: tuple[str, ...] = ()
    HSTS_SECONDS = 0  # Strict-Transport-Security max-age; 0 sends none
    HQ_SILENCE_MINUTES = 720  # how often an HQ must report, unless it has an interval of its own
    HOLD_MINUTES = 30  # an unconfirmed bed hold returns to free after this
    MAX_GROUP = 2000  # people in one placement request
    # Dispatch places requests together once this many wait to be dispatched: a
    # real backlog (an import, workers behind). A batch of a few groups costs
    # more than their single dispatches (0.05-0.5 s of solver for 1-16 groups
    # against about 10 ms each), and at a surge's start, before it is gathered,
    # several workers running such batches held every POST up (scale-out POST
    # p99 in `bench.surge`); a backlog this small clears one by one in 0.2 s.
    BATCH_MIN_PENDING = 20
    BATCH_MAX_GROUPS = 1000  # requests one batch takes at most (placing a backlog within a dispatch job)
    # A surge: requests arriving at GATHER_RATE a second or faster (over the last
    # GATHER_WINDOW_SECONDS, or the last three of them) are gathered, not placed one by one, and placed in one
    # batch once none came in for GATHER_PAUSE_SECONDS, or the rate is kept up
    # neither over the last window nor over the last three, or the oldest has
    # waited GATHER_MAX_SECONDS.
    # People typing at a hotline never reach the rate; an import, a registration
    # desk's system or a train's manifest posted by API do.
    # 0 turns gathering off.
    GATHER_RATE = 30.0
    # 30 in the last second, not 60 in two: until gathering engages, every
    # request is placed on its own, and on PostgreSQL with four workers those
    # first 60 single dispatches filled two cores (POSTs at 200-400 ms, some
    # refused). Scale-out POST p99 105 / 134 ms against 275-450 (bench.surge,
    # 2 runs against 3). A steady 20 a second (bench.floor) never reaches it.
    GATHER_WINDOW_SECONDS = 1.0
    GATHER_PAUSE_SECONDS = 0.5
    GATHER_MAX_SECONDS = 90.0
    GATHER_MAX_GROUPS = 5000  # requests a gathered batch takes at most
    # Its solver's time limit. 3,000 groups find their first plan only after
    # 2-4 s of solving (the root's cuts), and that plan is within 0.3 % of the
    # optimum; cut short before it, they went nearest first (1.28x the bound).
    GATHER_SOLVE_SECONDS = 10.0
    # And it stops once its plan is proved within this fraction of the best
    # over its candidates (a backlog's batch: batch.GAP, 0.2 %). On a surge,
    # proving the last 0.3 % took longer than finding the plan: live surge
    # solves 6.1-11.3 s at 0.2 % (8 runs), 5.9-6.9 s at 0.5 % (6), all within
    # 1.0041-1.009x the bound (bench.surge).
    GATHER_SOLVE_GAP = 0.005
    BATCH_JOB_TIMEOUT = 60  # seconds a gathered batch may take (3,000 groups: 7 to 12 s on two cores)
    # An unconfirmed hold moves (once) to a facility that freed beds only if that
    # is this many km nearer AND at most this fraction of the old distance.
    REOPT_MIN_SAVING_KM = 50.0
    REOPT_MAX_RATIO = 0.5
    BATCH_SECONDS = 3.0  # the batch MIP's time limit (both raced models': batch.place)
    OFFER_SECONDS = 120  # a team has this long to accept an offered task
    OFFER_ATTEMPTS = 3  # offers per task before HQ is alerted
    OFFER_MAX_KM = 150.0  # no team farther than this from the task is offered it; HQ decides instead
    TEAM_STALE_SECONDS = 300  # an on-duty team silent this long is "stale"
    CLOCK_OFFSET_SECONDS = 0  # tests move the application clock forward with this
    WORKER_STALE_SECONDS = 60
    COVER_WINDOW_DAYS = 14  # days of cover = on hand / mean daily issue over this window
    COVER_ALERT_DAYS = 7.0  # alert HQ when an item's days of cover drop below this
    SLA_WARNING_MINUTES = 60  # warn HQ this long before a case's SLA is due
    # Reason codes a warehouse manager may give for an adjustment.
    SUPPLY_ADJUST_REASONS = ("damaged", "expired", "lost", "found", "correction")
    SUPPLY_LATE_ENTRY_MINUTES = 60  # a move dated earlier than this before now must say why
    SUPPLY_ROUTE_SECONDS = 1.0  # the routing solver's time limit per warehouse when planning delivery runs
    SUPPLY_RUN_MAX_STOPS = 15  # stops in one delivery run at most
    # Map tiles; on an isolated network point this at a local tile server.
    TILE_URL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
    GEOCODER = ""  # e.g. "nominatim" to enable geopy's online geocoder
    GEOCODER_USER_AGENT = "birlik"
    BBOX = (40.5, 46.4, 55.5, 87.4)  # south, west, north, east: Kazakhstan
    # Empty: follow the server (gevent under gunicorn's gevent worker, threading
    # otherwise). The server's process role is gunicorn's setting, not the app's:
    # BIRLIK_WEB_ROLE (all, realtime, api), BIRLIK_WEB_WORKERS, BIRLIK_WEB_THREADS
    # and BIRLIK_WEB_CONNECTIONS are read by config/gunicorn.py.
    SOCKETIO_ASYNC_MODE = ""
    SOCKETIO_CHANNEL = "birlik"
    # None: same origin only. A comma-separated list allows other origins.
    SOCKETIO_CORS_ORIGINS: tuple[str, ...] | None = None
    RQ_QUEUES = ("dispatch", "default")
    JOB_TIMEOUT = 300  # seconds a job on the default queue may run
    DISPATCH_JOB_TIMEOUT = 15  # dispatch jobs take milliseconds; a dead worker's job is requeued after this + 5 s
    WORKER_MAINTENANCE_SECONDS = 5  # how often a worker looks for jobs whose worker died
    OUTBOX_RELAY_SECONDS = 0.5  # how often a worker queues outbox rows the fast path could not
    PERIODIC_EVERY = 0  # 0: each periodic job at its own interval; N: every job every N seconds (tests, demos)
    # Operations (README: "Watching a running system").
    LOG_LEVEL = "INFO"
    # A POST's Idempotency-Key whose process died before answering is taken
    # over by a retry after this long; a slower first run is then refused.
    IDEMPOTENCY_LEASE_SECONDS = 90  # well past a request's longest wait for the SQLite write lock (30 s)
    MAX_IN_FLIGHT = 16  # requests worked on at once per web process; past it, 503 at once (0: no bound)
    # Of those, requests that may write (POST, PUT, PATCH, DELETE): the reads keep the rest (0: no own bound).
    MAX_WRITES_IN_FLIGHT = 8
    # PostgreSQL: how long a request waits for its events' numbers (their
    # place in commit order) before it answers; past it, they are numbered
    # and sent live just after (coordinator/events/relay.py says why).
    EVENT_NUMBER_WAIT = 0.05
    PANELS_MAX_LAG_SECONDS = 1.0  # HQ's panels may be this far behind the data while it changes faster
    BUSY_RETRY_SECONDS = 2  # the Retry-After of that 503
    METRICS_DIR = ""  # prometheus multiprocess files; empty: <VAR_DIR>/prometheus
    METRICS_TOKEN = ""  # bearer token that may read /metrics from another machine (empty: loopback only)
    API_TITLE = "Birlik API"
    API_VERSION = "v1"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/api/v1"
    OPENAPI_JSON_PATH = "openapi.json"
    OPENAPI_SWAGGER_UI_PATH = "docs"
    OPENAPI_SWAGGER_UI_URL = "/vendor/swagger-ui-dist/"
    TESTING = False


class DevelopmentConfig(BaseConfig):
    """Embedded defaults: SQLite under var/ and the private Redis."""

    SECRET_KEY = "dev-only-secret-change-me"


class TestConfig(BaseConfig):
    """Tests pass the database and Redis URLs in explicitly."""

    TESTING = True
    SECRET_KEY = "test-secret"
    # Tests read the events feed right after a write, on a loaded machine.
    EVENT_NUMBER_WAIT = 5.0
    LOGIN_SLOW_SECONDS = 0.05
    LOGIN_LOCK_SECONDS = 60


class ProductionConfig(BaseConfig):
    """Production: every secret and URL comes from the environment."""

    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    HSTS_SECONDS = 31536000  # a year: production is served over HTTPS only


CONFIGS = {"development": DevelopmentConfig, "test": TestConfig, "production": ProductionConfig}


def _tuple(raw: str, default: tuple | None) -> tuple:
    parts = tuple(p.strip() for p in raw.split(",") if p.strip())
    if default and all(isinstance(v, float) for v in default):
        return tuple(float(p) for p in parts)
    return parts


_TYPES = {bool: lambda v: v.lower() in ("1", "true", "yes", "on"), int: int, float: float}


def from_env(environ: dict[str, str] | None = None) -> dict[str, Any]:
    """Return settings named BIRLIK_<NAME> in the environment, typed like the defaults."""
    environ = os.environ if environ is None else environ
    base = CONFIGS.get(environ.get(PREFIX + "ENV", "development"), DevelopmentConfig)
    out: dict[str, Any] = {"_CLASS": base}
    for key, raw in environ.items():
        if not key.startswith(PREFIX) or key == PREFIX + "ENV":
            continue
        name = key[len(PREFIX) :]
        default = getattr(base, name, None)
        if isinstance(default, tuple) or name == "SOCKETIO_CORS_ORIGINS":
            out[name] = _tuple(raw, default)
            continue
        cast = _TYPES.get(type(default))
        try:
            out[name] = cast(raw) if cast else raw
        except ValueError as exc:
            raise ValueError(f"{key}={raw!r} is not a valid {type(default).__name__}") from exc
    return out
