"""A request's follow-up job is queued as its transaction commits, and the
row is marked sent by a thread of the process, off the request's path (the
mark took the write lock a second time in every POST). Until it is marked,
the worker's sweep leaves it alone for `relay.GRACE`, so the job is not
queued twice; a row nobody marks is queued again once that has passed."""

from __future__ import annotations

from sqlalchemy import select

from coordinator.extensions import db
from coordinator.queue import get_queue, relay
from coordinator.queue.models import OutboxEntry

GROUP = {"contact_phone": "+7 701 555 12 12", "origin": "Almaty", "head_count": 2}


def _dispatch_rows(app) -> list[OutboxEntry]:
    with app.app_context():
        rows = db.session.scalars(select(OutboxEntry).where(OutboxEntry.job == "dispatch_placement")).all()
        db.session.remove()
        return rows


def test_a_follow_up_is_queued_once_and_marked_sent_off_the_request(app, api, make, wait_for):
    make.facility("almaty", beds={"standard": 10})
    status, created = api("post", "/placements", json=GROUP)
    assert status == 201, created
    with app.app_context():
        # The sweep runs at once, before any mark could be relied on: it leaves the row alone.
        assert relay.sweep(session=db.session) == 0
        db.session.commit()
        db.session.remove()
        assert get_queue("dispatch").count == 1
    assert wait_for(lambda: all(row.sent_at is not None for row in _dispatch_rows(app)))
    assert [row.args for row in _dispatch_rows(app)] == [[created["id"]]]


def test_a_row_nobody_marked_is_queued_again_after_the_grace(app, api, make, wait_for):
    make.facility("almaty", beds={"standard": 10})
    status, created = api("post", "/placements", json=GROUP)
    assert status == 201, created
    assert wait_for(lambda: all(row.sent_at is not None for row in _dispatch_rows(app)))
    with app.app_context():
        # As if the process had died between queueing the job and marking it.
        db.session.execute(OutboxEntry.__table__.update().values(sent_at=None))
        db.session.commit()

        def swept() -> bool:
            sent = relay.sweep(session=db.session)
            db.session.commit()
            return sent == 1

        assert wait_for(swept, timeout=2 * relay.GRACE.total_seconds() + 5)
        db.session.remove()
    assert all(row.sent_at is not None for row in _dispatch_rows(app))
