"""In Russian, what the browser draws from data reads in Russian: a case's
category in its map popup, the occupancy charts' legends, and a form's
field errors named by the form's labels."""

import pytest

pytestmark = pytest.mark.browser


def _russian(make, db_session, role, **scope):
    account = make.account(role, **scope)
    account.user.locale = "ru"
    db_session.commit()
    return account


def test_popups_legends_and_form_errors_in_russian(browser, live_server, sign_in, make, db_session):
    case = make.case("almaty", category="help_request")
    facility = make.facility("almaty", beds={"standard": 10})
    hq = _russian(make, db_session, "hq")
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    context.route("**tile**", lambda route: route.abort())
    page = sign_in(context, hq)

    page.goto(live_server.url + "/hq")
    page.wait_for_selector("#hq-map[data-loaded='1']", timeout=15000)
    page.wait_for_function(f"() => window.BirlikMap.marker('cases', {case.id}) !== null", timeout=15000)
    page.evaluate(f"window.BirlikMap.reveal('cases', {case.id})")
    popup = page.wait_for_selector(".leaflet-popup-content", timeout=10000).inner_text()
    assert "Просьба о помощи (продукты, лекарства, жильё)" in popup and "help_request" not in popup

    page.goto(live_server.url + f"/facilities/{facility.id}")
    page.wait_for_function("() => window.Chart && Chart.getChart(document.getElementById('forecast-chart'))")
    legend = page.evaluate("Chart.getChart(document.getElementById('forecast-chart')).data.datasets.map(d => d.label)")
    assert legend == ["выписки", "занято"]

    # A value the API refuses field by field (the page's own check taken off): the error names
    # the field as the form labels it, and says what is wrong in Russian.
    form = page.locator("form[data-api*='/beds/standard']").first
    form.locator("[name=out_of_service]").evaluate("el => { el.removeAttribute('min'); el.value = '-5'; }")
    form.locator("[type=submit]").click()
    error = form.locator(".form-error")
    error.wait_for(state="visible", timeout=10000)
    page.wait_for_function("el => el.textContent.trim() !== ''", arg=error.element_handle(), timeout=10000)
    text = error.inner_text()
    assert text.startswith("Некоторые поля заполнены неверно.") and "Не используются: От 0 до" in text, text
    assert "out_of_service" not in text
    context.close()
