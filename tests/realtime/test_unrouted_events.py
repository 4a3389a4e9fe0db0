"""An event for no room (a sign-in token issued) reaches no screen. Socket.IO
reads an empty room list as "everyone": it went to every connected screen,
and, outside the relay's order, held the events after it for a second."""

from coordinator.events import service as events
from coordinator.extensions import db


def test_an_event_for_no_room_reaches_no_screen_and_holds_nothing_back(app, make, socket_client, wait_for):
    hq = make.account("hq")
    sio = socket_client(hq.token)
    with app.app_context():
        events.record(session=db.session, type="auth.token_issued", subject_type="user", subject_id=1, rooms=[])
        db.session.commit()
        after = events.record(session=db.session, type="bench.after", subject_type="x", subject_id=2, rooms=["hq"])
        db.session.commit()
        after_id = after.seq
    assert wait_for(lambda: any(e["type"] == "bench.after" for e in sio.received))
    assert [e["type"] for e in sio.received] == ["bench.after"]
    assert sio.received[0]["id"] == after_id
