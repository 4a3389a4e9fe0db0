"""Socket.IO through a live gunicorn server and the real Redis message queue."""

import time

import pytest
import socketio

from coordinator import queue
from coordinator.headquarters.models import Headquarters

BODY = {"staff_on_duty": 3, "open_cases": 1}


def test_unauthenticated_socket_is_refused(live_server):
    sio = socketio.Client(reconnection=False)
    with pytest.raises(socketio.exceptions.ConnectionError):
        sio.connect(live_server.url, transports=["websocket"], wait_timeout=5)
    with pytest.raises(socketio.exceptions.ConnectionError):
        sio.connect(live_server.url, auth={"token": "bk_forged"}, transports=["websocket"], wait_timeout=5)


def test_job_emit_reaches_client_through_redis(app, make, socket_client, run_jobs, db_session, wait_for):
    national = make.account("hq")
    hq = make.hq("pavlodar")  # has never reported: the job flags it
    sio = socket_client(national.token)
    assert wait_for(lambda: getattr(sio, "welcome", None))
    with app.app_context():
        queue.enqueue("flag_silent_hqs")
    assert run_jobs() == 2  # the flag, then the alert scan it queues
    assert wait_for(lambda: any(e["type"] == "hq.silent" and e["subject_id"] == hq.id for e in sio.received))
    assert wait_for(
        lambda: any(e["type"] == "alert.raised" and e["after"]["subject_id"] == hq.id for e in sio.received)
    )
    db_session.expire_all()
    assert db_session.get(Headquarters, hq.id).silent is True


def test_reconnect_replays_exactly_the_missed_events_in_order(client, make, socket_client, wait_for):
    regional = make.account("hq", region_id=make.region("almaty").id)
    national = make.account("hq")
    mine, elsewhere = make.hq("almaty"), make.hq("pavlodar")
    sio = socket_client(regional.token)
    assert wait_for(lambda: getattr(sio, "welcome", None))
    client.post(f"/api/v1/hqs/{mine.id}/status-reports", json=BODY, headers=national.auth)
    assert wait_for(lambda: len(sio.received) == 1)
    last_seen = sio.received[-1]["id"]
    sio.disconnect()

    missed = []
    for n in range(3):
        resp = client.post(
            f"/api/v1/hqs/{mine.id}/status-reports", json={**BODY, "open_cases": n}, headers=national.auth
        )
        missed.append(resp.get_json()["id"])
        client.post(f"/api/v1/hqs/{elsewhere.id}/status-reports", json=BODY, headers=national.auth)

    back = socket_client(regional.token, last_event_id=last_seen)
    assert wait_for(lambda: getattr(back, "welcome", None))
    replayed = back.received
    assert [e["after"]["report_id"] for e in replayed] == missed
    assert [e["id"] for e in replayed] == sorted(e["id"] for e in replayed)
    assert all(f"region:{mine.region_id}" in e["rooms"] for e in replayed)
    assert back.welcome["replayed"] == 3


def test_a_replay_cursor_beyond_any_event_id_replays_nothing(client, make, socket_client, wait_for):
    national = make.account("hq")
    client.post(f"/api/v1/hqs/{make.hq('almaty').id}/status-reports", json=BODY, headers=national.auth)
    for cursor in (2**63, 10**99):  # beyond BIGINT; Socket.IO itself refuses longer numbers
        sio = socket_client(national.token, last_event_id=cursor)
        assert wait_for(lambda sio=sio: getattr(sio, "welcome", None))
        assert sio.welcome["replayed"] == 0 and sio.received == []
        assert sio.welcome["last_event_id"] >= 1
    # A cursor that is no integer at all counts as none: everything is replayed.
    sio = socket_client(national.token, last_event_id=float("inf"))
    assert wait_for(lambda: getattr(sio, "welcome", None))
    assert sio.welcome["replayed"] == 1


def test_regional_client_hears_nothing_of_other_regions(client, make, socket_client, wait_for):
    regional = make.account("hq", region_id=make.region("almaty").id)
    national_user = make.account("hq")
    other = make.hq("pavlodar")
    mine = make.hq("almaty")
    regional_sio = socket_client(regional.token)
    national_sio = socket_client(national_user.token)
    assert wait_for(lambda: getattr(regional_sio, "welcome", None) and getattr(national_sio, "welcome", None))
    client.post(f"/api/v1/hqs/{other.id}/status-reports", json=BODY, headers=national_user.auth)
    client.post(f"/api/v1/hqs/{mine.id}/status-reports", json=BODY, headers=national_user.auth)
    assert wait_for(lambda: len(national_sio.received) == 2)
    assert wait_for(lambda: len(regional_sio.received) == 1)
    time.sleep(0.3)
    assert [e["subject_id"] for e in regional_sio.received] == [mine.id]
