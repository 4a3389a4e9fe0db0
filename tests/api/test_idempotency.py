"""POSTs with an Idempotency-Key have exactly one effect."""

from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select

from coordinator.events.models import Event
from coordinator.headquarters.models import HQStatusReport

BODY = {"staff_on_duty": 4, "open_cases": 2, "needs": "masks"}


def test_repeat_returns_the_first_answer(client, make, db_session, count):
    acc, hq = make.account("hq"), make.hq()
    headers = {**acc.auth, "Idempotency-Key": "report-1"}
    first = client.post(f"/api/v1/hqs/{hq.id}/status-reports", json=BODY, headers=headers)
    second = client.post(f"/api/v1/hqs/{hq.id}/status-reports", json=BODY, headers=headers)
    assert first.status_code == second.status_code == 201
    assert first.get_json() == second.get_json()
    assert second.headers["Idempotent-Replay"] == "true"
    assert count(HQStatusReport) == 1
    db_session.expire_all()
    reported = select(func.count(Event.id)).where(Event.type == "hq.status_reported")
    assert db_session.scalar(reported) == 1


def test_same_key_with_another_body_is_422(client, make, db_session, count):
    acc, hq = make.account("hq"), make.hq()
    headers = {**acc.auth, "Idempotency-Key": "report-2"}
    client.post(f"/api/v1/hqs/{hq.id}/status-reports", json=BODY, headers=headers)
    resp = client.post(f"/api/v1/hqs/{hq.id}/status-reports", json={**BODY, "open_cases": 9}, headers=headers)
    assert resp.status_code == 422
    assert "Idempotency-Key" in resp.get_json()["errors"]
    assert count(HQStatusReport) == 1


def test_concurrent_repeats_have_one_effect(app, make, db_session, count):
    acc, hq = make.account("hq"), make.hq()
    headers = {**acc.auth, "Idempotency-Key": "burst"}

    def post(_):
        return app.test_client().post(f"/api/v1/hqs/{hq.id}/status-reports", json=BODY, headers=headers)

    with ThreadPoolExecutor(max_workers=5) as pool:
        answers = list(pool.map(post, range(5)))
    assert sorted(r.status_code for r in answers) == [201] * 5
    assert len({r.get_data() for r in answers}) == 1
    assert count(HQStatusReport) == 1


def test_keys_are_per_user(client, make, db_session, count):
    one, two, hq = make.account("hq"), make.account("admin"), make.hq()
    for acc in (one, two):
        resp = client.post(
            f"/api/v1/hqs/{hq.id}/status-reports", json=BODY, headers={**acc.auth, "Idempotency-Key": "shared"}
        )
        assert resp.status_code == 201
    assert count(HQStatusReport) == 2
