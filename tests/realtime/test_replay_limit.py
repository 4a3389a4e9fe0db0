"""A replay that stops at its limit says so, over HTTP and on reconnect, with
where to continue; a replay that is complete says that too."""

from datetime import UTC, datetime

from sqlalchemy import func, insert, select

from coordinator.events.models import Event, EventRoom
from coordinator.events.service import REPLAY_LIMIT

BODY = {"staff_on_duty": 3, "open_cases": 1}


def _many_events(session, n: int, room: str = "hq") -> list[int]:
    """`n` events in `room`, written in bulk (a busy morning's worth); their ids as clients see them."""
    at = datetime.now(UTC).replace(tzinfo=None)
    first = session.scalar(select(Event.id).order_by(Event.id.desc()).limit(1)) or 0
    top = session.scalar(select(func.max(Event.seq))) or 0  # numbered in commit order, after the newest
    session.execute(
        insert(Event),
        [
            {"type": "hq.status_reported", "subject_type": "hq", "subject_id": 1, "created_at": at, "seq": top + k}
            for k in range(1, n + 1)
        ],
    )
    rows = session.execute(select(Event.id, Event.seq).where(Event.id > first).order_by(Event.seq)).all()
    session.execute(insert(EventRoom), [{"event_id": i, "room": room} for i, _ in rows])
    session.commit()
    return [seq for _, seq in rows]  # the ids clients see


def test_an_http_replay_cut_at_its_limit_says_where_to_continue(client, make):
    national = make.account("hq")
    hq = make.hq("almaty")
    for n in range(3):
        client.post(f"/api/v1/hqs/{hq.id}/status-reports", json={**BODY, "open_cases": n}, headers=national.auth)

    first = client.get("/api/v1/events?after=0&limit=2", headers=national.auth)
    page = first.get_json()
    assert first.status_code == 200 and len(page["events"]) == 2
    assert page["truncated"] is True
    assert page["next_after"] == page["events"][-1]["id"]
    assert f"after={page['next_after']}" in first.headers["Link"] and 'rel="next"' in first.headers["Link"]

    rest = client.get(f"/api/v1/events?after={page['next_after']}&limit=2", headers=national.auth)
    last = rest.get_json()
    assert last["truncated"] is False and last["next_after"] is None and "Link" not in rest.headers
    assert [e["id"] for e in page["events"] + last["events"]] == sorted(
        {e["id"] for e in page["events"] + last["events"]}
    )
    assert last["events"][-1]["id"] == last["last_event_id"]


def test_the_events_endpoint_documents_its_page(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    ok = spec["paths"]["/api/v1/events"]["get"]["responses"]["200"]
    ref = ok["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    props = spec["components"]["schemas"][ref]["properties"]
    assert {"events", "last_event_id", "truncated", "next_after"} <= set(props)
    assert "Link" in ok["headers"]


def test_a_reconnect_replay_cut_at_its_limit_says_so_in_the_welcome(make, db_session, socket_client, wait_for):
    national = make.account("hq")
    ids = _many_events(db_session, REPLAY_LIMIT + 2)

    # The replay is sent before the connection is accepted: 5,000 events take
    # a while on a loaded machine.
    sio = socket_client(national.token, wait_timeout=60, last_event_id=ids[0] - 1)
    assert wait_for(lambda: getattr(sio, "welcome", None), timeout=60)
    assert len(sio.received) == REPLAY_LIMIT and sio.welcome["replayed"] == REPLAY_LIMIT
    assert sio.welcome["truncated"] is True
    assert sio.welcome["next_after"] == sio.received[-1]["id"] == ids[REPLAY_LIMIT - 1]

    # Continuing from there brings the rest, and says the replay is complete.
    rest = socket_client(national.token, wait_timeout=60, last_event_id=sio.welcome["next_after"])
    assert wait_for(lambda: getattr(rest, "welcome", None))
    assert [e["id"] for e in rest.received] == ids[REPLAY_LIMIT:]
    assert rest.welcome["truncated"] is False and rest.welcome["next_after"] is None


def test_a_resync_cut_at_its_limit_says_so_in_the_answer(make, db_session, socket_client, wait_for):
    national = make.account("hq")
    ids = _many_events(db_session, REPLAY_LIMIT + 1)
    sio = socket_client(national.token)
    assert wait_for(lambda: getattr(sio, "welcome", None))
    answer = sio.call("sync", {"after": ids[0] - 1}, timeout=60)
    assert answer["ok"] is True and len(answer["events"]) == REPLAY_LIMIT
    assert answer["truncated"] is True and answer["next_after"] == ids[REPLAY_LIMIT - 1]
