"""The HQ map's status filter on a phone (360 px): a status applies to the
layers that have it; a live change to another layer reloads it without an error."""

import pytest

pytestmark = pytest.mark.browser


def test_status_filter_leaves_other_layers_alone(browser, live_server, sign_in, make, client, db_session):
    full = make.facility("almaty", beds={"standard": 2})
    make.placement(full, head_count=2)
    roomy = make.facility("almaty", beds={"standard": 5})
    case = make.case("almaty")  # new
    hq = make.account("hq")
    context = browser.new_context(viewport={"width": 360, "height": 740})
    context.route("**tile**", lambda route: route.abort())
    page = sign_in(context, hq)
    page.goto(live_server.url + "/hq")
    page.wait_for_selector("#hq-map[data-loaded='1']", timeout=15000)
    page.wait_for_selector("#live-state.ok")
    page.select_option("#map-status", "full")
    page.wait_for_function(f"() => !BirlikMap.marker('facilities', {roomy.id})", timeout=10000)
    assert page.evaluate(f"BirlikMap.marker('facilities', {full.id})")["status"] == "full"
    assert page.evaluate(f"BirlikMap.marker('cases', {case.id})") is not None
    assert page.evaluate("new URLSearchParams(location.search).get('status')") == "full"

    # The case changes: the map reloads the cases layer alone, under the filter "full".
    operator = make.account("hotline_operator")
    res = client.post(f"/api/v1/hotline/cases/{case.id}/triage", headers=operator.auth, json={"severity": "critical"})
    assert res.status_code == 200, res.get_json()
    page.wait_for_function(f"() => BirlikMap.marker('cases', {case.id})?.status === 'triaged'", timeout=10000)
    assert page.locator("#map-error").is_hidden()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    context.close()
