"""The demo's HQs: the simulator files status reports for every HQ but one,
which it tells to report every 15 minutes, so the silence job flags it."""

import random

from sqlalchemy import select

from coordinator.auth.models import User
from coordinator.demo import simulate
from coordinator.extensions import db
from coordinator.headquarters.models import Headquarters, HQStatusReport


def test_one_demo_hq_falls_silent(app, make, enqueue, run_jobs, db_session, count):
    quiet, others = make.hq("kyzylorda"), [make.hq("almaty"), make.hq("pavlodar"), make.hq(None)]
    admin = make.account("admin")
    rng = random.Random(3)
    with app.app_context():
        user = db.session.get(User, admin.user.id)
        said = [simulate._hq_report(rng, user) for _ in range(12)]
        db.session.commit()
    assert said[0].startswith(quiet.name) and "15 minutes" in said[0]
    assert all(s.startswith("status report from") for s in said[1:])
    assert count(HQStatusReport, HQStatusReport.hq_id == quiet.id) == 0
    assert count(HQStatusReport) == 11

    app.config["CLOCK_OFFSET_SECONDS"] = 16 * 60
    enqueue("flag_silent_hqs")
    run_jobs()
    silent = db_session.scalars(select(Headquarters.id).where(Headquarters.silent.is_(True))).all()
    reported = {r.hq_id for r in db_session.scalars(select(HQStatusReport))}
    assert quiet.id in silent
    assert set(silent) == {quiet.id} | ({h.id for h in others} - reported)
