"""Who may see and do what with delivery runs: the team on the run records
proof, other teams cannot; a warehouse manager sees their own warehouse's
runs and pick lists; a requester confirms only its own organization's stops."""

from tests.supplies import delivery_setup as setup


def test_another_team_can_neither_see_nor_prove_the_run(app, make, api, run_jobs):
    run = setup.one_run(app, make, api, run_jobs)
    stranger = setup.crew(make)
    assert api("GET", "/supplies/runs", stranger.account) == (200, [])
    assert api("GET", f"/supplies/runs/{run.run['id']}", stranger.account)[0] == 403
    assert api("GET", f"/deliveries/{run.stop['id']}", stranger.account)[0] == 403
    status, body = api("POST", f"/deliveries/{run.stop['id']}/proof", stranger.account, json=run.proof())
    assert status == 403, body
    # The run's own team sees it and proves the stop; HQ and warehouses may not record proof.
    status, runs = api("GET", "/supplies/runs", run.crew.account)
    assert status == 200 and [r["id"] for r in runs] == [run.run["id"]]
    assert api("POST", f"/deliveries/{run.stop['id']}/proof", json=run.proof())[0] == 403  # HQ
    assert api("POST", f"/deliveries/{run.stop['id']}/proof", run.crew.account, json=run.proof())[0] == 200


def test_requesters_confirm_only_their_own_stops_after_proof(app, make, api, run_jobs):
    run = setup.one_run(app, make, api, run_jobs)
    mine = make.account("requester", organization_id=run.organization.id)
    other = make.account("requester", organization_id=setup.organization(make, setup.ALMATY).id)
    url = f"/deliveries/{run.stop['id']}/confirm"
    status, body = api("POST", url, mine)
    assert status == 409 and "nothing to confirm yet" in body["message"]
    assert api("POST", f"/deliveries/{run.stop['id']}/proof", run.crew.account, json=run.proof())[0] == 200
    assert api("POST", url, other)[0] == 403
    assert api("GET", f"/deliveries/{run.stop['id']}", other)[0] == 403
    assert api("POST", url, run.crew.account)[0] == 403  # a team does not confirm its own delivery
    status, stop = api("POST", url, mine)
    assert status == 200 and stop["confirmed_at"]
    status, stop = api("GET", f"/deliveries/{run.stop['id']}", mine)
    assert status == 200 and stop["confirmed_at"] and stop["photo"] is None


def test_warehouse_managers_see_their_own_runs_pick_lists_and_discrepancies(
    app, make, api, run_jobs, client, parse_html
):
    run = setup.one_run(app, make, api, run_jobs, steps_taken=())
    keeper = make.account("warehouse_manager")
    keeper.user.warehouses = [run.warehouse]
    other_keeper = make.account("warehouse_manager")
    other_keeper.user.warehouses = [setup.warehouse(make)]
    make.session.commit()
    status, runs = api("GET", "/supplies/runs", keeper)
    assert status == 200 and [r["id"] for r in runs] == [run.run["id"]]
    assert api("GET", "/supplies/runs", other_keeper) == (200, [])
    assert api("GET", f"/supplies/runs/{run.run['id']}", other_keeper)[0] == 403
    assert api("POST", "/supplies/runs/plan", other_keeper, json={"warehouse_id": run.warehouse.id})[0] == 403
    assert api("GET", "/supplies/discrepancies", other_keeper) == (200, [])

    page = client.get(f"/supplies/runs/{run.run['id']}/pick-list", headers=keeper.auth)
    assert page.status_code == 200
    html = parse_html(page.get_data(as_text=True))
    assert f"stop-{run.stop['id']}" in html.inside("pick-stops")
    assert client.get(f"/supplies/runs/{run.run['id']}/pick-list", headers=other_keeper.auth).status_code == 403
    requester = make.account("requester", organization_id=run.organization.id)
    assert client.get(f"/supplies/runs/{run.run['id']}/pick-list", headers=requester.auth).status_code == 403


def test_pick_list_takes_lots_earliest_expiry_first(app, make, api, run_jobs, client, parse_html):
    from datetime import timedelta

    from coordinator.common.clock import now

    wh = setup.warehouse(make)
    sanitizer = setup.item(make, "Hand sanitizer", unit_kg=1.05, tracks_expiry=True)
    today = now().date()
    setup.receive(app, wh, sanitizer, 100, lot="LATE", expires_on=today + timedelta(days=300))
    setup.receive(app, wh, sanitizer, 30, lot="SOON", expires_on=today + timedelta(days=30))
    setup.crew(make, capacity_kg=1500)
    setup.held_request(app, setup.organization(make, setup.ALMATY), wh, {sanitizer.id: 50})
    (run,) = setup.plan(api, run_jobs, app)
    page = client.get(f"/supplies/runs/{run['id']}/pick-list", headers=make.account("hq").auth)
    assert page.status_code == 200
    html = parse_html(page.get_data(as_text=True))
    rows = [i for i in html.inside("pick-items") if i.startswith("pick-")]
    texts = [html.text(r) for r in rows]
    assert len(texts) == 2
    assert "SOON" in texts[0] and str(today + timedelta(days=30)) in texts[0] and "30 pcs" in texts[0]
    assert "LATE" in texts[1] and str(today + timedelta(days=300)) in texts[1] and "20 pcs" in texts[1]
