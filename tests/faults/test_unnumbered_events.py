"""A process dies right after committing events, before numbering them in
commit order (PostgreSQL): a worker's upkeep sweep numbers them and
publishes them, so a connected screen receives them live and a replay
lists them. Real processes: the writer is killed inside its commit hook."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.servers import ROOT

pytestmark = pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)

# Records one event through the service, then dies the moment its
# transaction has committed: before any other commit hook runs.
DIE_AFTER_COMMIT = """
import os
from sqlalchemy import event
from sqlalchemy.orm import Session
from coordinator import create_app
from coordinator.events import service
from coordinator.extensions import db
app = create_app()
with app.app_context():
    service.record(session=db.session, type="hq.status_reported", subject_type="hq", subject_id=1,
                   rooms=["hq"], after={"mark": "orphan"})
    event.listen(Session, "after_commit", lambda session: os._exit(9), insert=True)
    db.session.commit()
"""


def test_events_a_dead_writer_left_unnumbered_are_numbered_and_published_by_a_worker(
    config, client, hq, socket_client, workers, wait_for
):
    sio = socket_client(hq.token)
    assert wait_for(lambda: getattr(sio, "welcome", None))
    env = {
        **os.environ,
        "BIRLIK_ENV": "test",
        "BIRLIK_DATABASE_URL": config["DATABASE_URL"],
        "BIRLIK_REDIS_URL": config["REDIS_URL"],
        "BIRLIK_SECRET_KEY": "x",
        "BIRLIK_VAR_DIR": config["VAR_DIR"],
    }
    died = subprocess.run([sys.executable, "-c", DIE_AFTER_COMMIT], cwd=ROOT, env=env, capture_output=True, text=True)
    assert died.returncode == 9, died.stderr[-2000:]

    def listed() -> list[dict]:
        events = client.get("/api/v1/events?after=0", headers=hq.auth).get_json()["events"]
        return [e for e in events if (e["after"] or {}).get("mark") == "orphan"]

    assert listed() == []  # committed, but not yet in commit order: no replay shows it
    workers(1)
    assert wait_for(lambda: listed(), timeout=60), "the worker's sweep should number it"
    [orphan] = listed()
    assert orphan["id"] == client.get("/api/v1/events?after=0", headers=hq.auth).get_json()["last_event_id"]
    assert wait_for(lambda: [e["id"] for e in sio.received if (e["after"] or {}).get("mark") == "orphan"])
    assert [e["id"] for e in sio.received if (e["after"] or {}).get("mark") == "orphan"] == [orphan["id"]]
