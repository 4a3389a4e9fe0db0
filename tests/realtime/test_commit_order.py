"""Replay follows commit order on PostgreSQL with concurrent writers: a
client that pages through GET /api/v1/events with its cursor never skips an
event that committed after its cursor moved past a later-started one, and
sees every committed event exactly once, in order."""

from __future__ import annotations

import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.orm import Session

from coordinator.events import relay, service
from coordinator.events.models import Event

pytestmark = pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)


def _write(session: Session, mark: str) -> Event:
    """A state change's event, written in the caller's open transaction."""
    return service.record(
        session=session, type="hq.status_reported", subject_type="hq", subject_id=1, rooms=["hq"], after={"mark": mark}
    )


class Reader:
    """A client catching up through the HTTP events API, as a reconnecting
    screen does: everything after its cursor, then the cursor moves on."""

    def __init__(self, client, headers: dict[str, str]) -> None:
        self.client, self.headers = client, headers
        self.cursor = 0
        self.seen: list[dict] = []

    def poll(self) -> None:
        while True:
            page = self.client.get(f"/api/v1/events?after={self.cursor}&limit=200", headers=self.headers).get_json()
            self.seen += page["events"]
            if page["events"]:
                self.cursor = page["events"][-1]["id"]
            if not page["truncated"]:
                return

    def marks(self) -> list[str]:
        return [e["after"]["mark"] for e in self.seen]

    def ids(self) -> list[int]:
        return [e["id"] for e in self.seen]


@pytest.fixture
def writers(app, database_url):
    """Sessions of their own on the app's database, each one writer's transaction."""
    engine = create_engine(database_url, pool_size=20)
    sessions: list[Session] = []

    def new() -> Session:
        sessions.append(Session(bind=engine))
        return sessions[-1]

    yield new
    for s in sessions:
        s.close()
    engine.dispose()


def test_an_event_committed_late_is_replayed_after_the_cursor_passed_a_later_one(client, hq, writers):
    reader = Reader(client, hq.auth)
    a, b = writers(), writers()
    _write(a, "A")  # A starts first and stays open...
    _write(b, "B")
    b.commit()  # ...while B commits
    reader.poll()
    assert reader.marks() == ["B"]
    a.commit()  # A commits after the reader's cursor passed B
    reader.poll()
    assert reader.marks() == ["B", "A"]
    assert reader.ids() == sorted(set(reader.ids()))


def test_concurrent_writers_a_polling_reader_sees_every_event_once_in_order(client, hq, writers, wait_for):
    threads, per_thread = 6, 15
    reader = Reader(client, hq.auth)
    done = threading.Event()

    def write(t: int) -> None:
        rng = random.Random(t)
        session = writers()
        for n in range(per_thread):
            _write(session, f"{t}-{n}")
            # A transaction that takes its time: others commit meanwhile.
            time.sleep(rng.uniform(0, 0.03))
            session.commit()

    def read() -> None:
        while not done.is_set():
            reader.poll()

    with ThreadPoolExecutor(max_workers=threads + 1) as pool:
        polling = pool.submit(read)
        try:
            for result in [pool.submit(write, t) for t in range(threads)]:
                result.result()  # a writer's error fails the test here
        finally:
            done.set()
        polling.result()

    expected = {f"{t}-{n}" for t in range(threads) for n in range(per_thread)}

    def caught_up() -> bool:
        reader.poll()
        return len(reader.seen) >= len(expected)

    assert wait_for(caught_up)
    assert sorted(reader.marks()) == sorted(expected)  # every committed event, none twice
    assert reader.ids() == sorted(set(reader.ids()))  # in order
    # Each writer's own events come in the order it committed them.
    for t in range(threads):
        mine = [m for m in reader.marks() if m.startswith(f"{t}-")]
        assert mine == [f"{t}-{n}" for n in range(per_thread)]


def test_concurrent_writers_live_events_arrive_in_id_order(hq, writers, socket_client, wait_for):
    """A screen drops a live event whose id is below one it already has
    (static/js/app.js), so events must be published in id order too."""
    sio = socket_client(hq.token)
    assert wait_for(lambda: getattr(sio, "welcome", None))
    threads, per_thread = 6, 10

    def write(t: int) -> None:
        session = writers()
        for n in range(per_thread):
            _write(session, f"{t}-{n}")
            session.commit()

    with ThreadPoolExecutor(max_workers=threads) as pool:
        for result in [pool.submit(write, t) for t in range(threads)]:
            result.result()
    assert wait_for(lambda: len(sio.received) >= threads * per_thread)
    ids = [e["id"] for e in sio.received]
    assert ids == sorted(set(ids)) and len(ids) == threads * per_thread


def test_concurrent_writers_each_commit_returns_with_its_events_numbered(app, writers, database_url):
    """A request answers once its events have their place in commit order
    (a client that then reconnects with its last id gets them), if that takes
    at most EVENT_NUMBER_WAIT (5 s in tests). Commits of one process share
    numbering steps: one step numbers every commit handed over by then."""
    threads, per_thread = 8, 10
    check = create_engine(database_url)

    def write(t: int) -> list[tuple[int, int | None]]:
        session, seen = writers(), []
        with app.test_request_context():  # a request's: it waits for its numbers
            for n in range(per_thread):
                event = _write(session, f"{t}-{n}")
                session.flush()
                event_id = event.id
                session.commit()
                with check.connect() as conn:
                    seen.append((event_id, conn.scalar(select(Event.seq).where(Event.id == event_id))))
        return seen

    try:
        with ThreadPoolExecutor(max_workers=threads) as pool:
            seen = [pair for result in [pool.submit(write, t) for t in range(threads)] for pair in result.result()]
    finally:
        check.dispose()
    assert len(seen) == threads * per_thread
    assert [event_id for event_id, seq in seen if seq is None] == []


def test_a_held_up_numbering_step_does_not_hold_up_the_answer(
    app, hq, writers, socket_client, database_url, wait_for, monkeypatch
):
    """Past EVENT_NUMBER_WAIT a request answers with its events committed but
    not yet numbered (here the numbering lock is held by another connection,
    as by a process whose step lost its core); its process's numbering thread
    numbers them once the lock is free and sends them live. None is lost."""
    app.config["EVENT_NUMBER_WAIT"] = 0.05  # the production default
    # The step waits for the lock until it is let go here, however slow the machine.
    monkeypatch.setattr(relay, "LOCK_WAIT", "60s")
    sio = socket_client(hq.token)
    assert wait_for(lambda: getattr(sio, "welcome", None))
    engine = create_engine(database_url)
    try:
        with engine.connect() as other:
            other.execute(text("SELECT pg_advisory_lock(:key)"), {"key": relay.LOCK_KEY})
            other.commit()
            session = writers()
            with app.test_request_context():  # a request's commit: it waits EVENT_NUMBER_WAIT at most
                event = _write(session, "held")
                session.flush()
                event_id = event.id
                session.commit()  # answers though no step can run
            with engine.connect() as conn:
                assert conn.scalar(select(Event.seq).where(Event.id == event_id)) is None
            other.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": relay.LOCK_KEY})
            other.commit()

        def numbered() -> int | None:
            with engine.connect() as conn:
                return conn.scalar(select(Event.seq).where(Event.id == event_id))

        assert wait_for(numbered)
        assert wait_for(lambda: [e["id"] for e in sio.received if e["after"].get("mark") == "held"] == [numbered()])
    finally:
        engine.dispose()
