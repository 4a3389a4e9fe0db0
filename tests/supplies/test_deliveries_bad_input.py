"""Proof of delivery refuses what does not add up, with a message a person can act on."""

import pytest

from tests.supplies import delivery_setup as setup

BAD_PROOFS = {
    "accepted and rejected do not add up to what was shipped": (
        lambda r: r.proof(lines=r.lines(masks=(90, 5, "damaged"))),
        422,
        "must add up to the 100 pcs shipped",
    ),
    "a negative quantity": (lambda r: r.proof(lines=r.lines(masks=(110, -10, "damaged"))), 422, "rejected"),
    "a rejection without a reason": (lambda r: r.proof(lines=r.lines(masks=(90, 10, None))), 422, "say why 10"),
    "a reason outside the list": (lambda r: r.proof(lines=r.lines(masks=(90, 10, "stolen"))), 422, "wrong_item"),
    "a reason with nothing rejected": (lambda r: r.proof(lines=r.lines(masks=(100, 0, "damaged"))), 422, "leave"),
    "a line left out": (lambda r: r.proof(lines=r.lines()[:1]), 422, "missing: Gloves (pair)"),
    "a line given twice": (lambda r: r.proof(lines=r.lines()[:1] * 2 + r.lines()[1:]), 422, "given twice"),
    "a line of another stop": (
        lambda r: r.proof(lines=[{"line_id": 99999, "accepted": 1, "rejected": 0}]),
        422,
        "not on this stop",
    ),
    "no recipient": (lambda r: r.proof(recipient_name="   "), 422, "name of the person"),
    "a position outside the country": (lambda r: r.proof(lat=10.0, lon=10.0), 422, "outside Kazakhstan"),
    "a photo that is not an image": (lambda r: r.proof(photo="https://example.com/x.jpg"), 422, "photo"),
    "an unknown field": (lambda r: r.proof(signature="x"), 422, "signature"),
}


@pytest.mark.parametrize("case", list(BAD_PROOFS), ids=list(BAD_PROOFS))
def test_bad_proof_is_refused_and_changes_nothing(case, app, make, api, run_jobs):
    run = setup.one_run(app, make, api, run_jobs)
    body, expected, says = BAD_PROOFS[case]
    status, answer = api("POST", f"/deliveries/{run.stop['id']}/proof", run.crew.account, json=body(run))
    assert status == expected, answer
    assert says.lower() in str(answer).lower()
    assert api("GET", f"/supplies/runs/{run.run['id']}")[1]["stops"][0]["status"] == "planned"
    assert setup.verify_ledger(app) == []
    # The same stop then takes a good proof.
    status, stop = api("POST", f"/deliveries/{run.stop['id']}/proof", run.crew.account, json=run.proof())
    assert status == 200 and stop["status"] == "delivered"


def test_proof_before_pick_up_twice_or_for_a_missing_stop_is_refused(app, make, api, run_jobs):
    run = setup.one_run(app, make, api, run_jobs, steps_taken=("accept", "en-route"))
    url = f"/deliveries/{run.stop['id']}/proof"
    status, body = api("POST", url, run.crew.account, json=run.proof())
    assert status == 409 and "pick the load up" in body["message"].lower()
    setup.steps(api, run.crew.account, run.run["task_id"], "on-site")
    assert api("POST", url, run.crew.account, json=run.proof())[0] == 200
    status, body = api("POST", url, run.crew.account, json=run.proof())
    assert status == 409 and "already has its proof" in body["message"]
    assert api("POST", "/deliveries/99999/proof", run.crew.account, json=run.proof())[0] == 404
    # Confirming a stop with no proof yet, or one that does not exist.
    assert api("POST", "/deliveries/99999/confirm")[0] == 404


def test_plan_and_lists_refuse_bad_parameters(app, make, api):
    assert api("POST", "/supplies/runs/plan", json={"warehouse_id": 99999})[0] == 404
    assert api("POST", "/supplies/runs/plan", json={"warehouse_id": "one"})[0] == 422
    assert api("GET", "/supplies/runs?status=lost")[0] == 422
    assert api("GET", "/supplies/runs?colour=red")[0] == 422
    assert api("GET", "/supplies/runs/99999")[0] == 404
    assert api("GET", "/supplies/discrepancies?open=maybe")[0] == 422
