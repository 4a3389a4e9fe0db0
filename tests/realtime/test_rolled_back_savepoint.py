"""An event recorded inside a savepoint that is rolled back never happened:
it is not published, while the transaction's other events are. Imports and
the hotline's bulk actions work row by row in savepoints; before, on SQLite,
a failed row's events still reached every screen."""

import pytest
from sqlalchemy.exc import IntegrityError

from coordinator.events import service as events
from coordinator.extensions import db


def test_a_rolled_back_savepoint_takes_its_events_with_it(app, make, socket_client, wait_for):
    hq = make.account("hq")
    sio = socket_client(hq.token)
    with app.app_context():
        kept = events.record(session=db.session, type="bench.kept", subject_type="x", subject_id=1, rooms=["hq"])
        kept_id = kept.id
        with pytest.raises(IntegrityError), db.session.begin_nested():
            events.record(session=db.session, type="bench.undone", subject_type="x", subject_id=2, rooms=["hq"])
            # A row's failure after its event, as an import row that breaks a unique index.
            db.session.execute(db.text("INSERT INTO events (id) VALUES (:id)"), {"id": kept_id})
        db.session.commit()
        # The next transaction's event: the screen has everything before it once it arrives.
        after = events.record(session=db.session, type="bench.after", subject_type="x", subject_id=3, rooms=["hq"])
        db.session.commit()
        after_id = after.seq
    assert wait_for(lambda: any(e["type"] == "bench.after" for e in sio.received))
    assert [e["type"] for e in sio.received] == ["bench.kept", "bench.after"]
    assert sio.received[-1]["id"] == after_id
