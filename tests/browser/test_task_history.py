"""HQ reads a finished task's history on a 360 px phone: from the teams
board to the history, a task's timeline and the team's report with its
photo, and the filters; nothing scrolls sideways."""

from tests.field.test_history import _declined_then_done


def test_history_on_a_phone(make, db_session, run_jobs, api, browser, live_server, sign_in):
    hq = make.account("hq")
    task_id, near, far = _declined_then_done(make, db_session, run_jobs, api, hq)
    phone = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True)
    page = sign_in(phone, hq)
    page.goto(live_server.url + "/hq/teams")
    page.click("#history-link")
    page.wait_for_url("**/hq/tasks/history")

    task = page.locator(f"#task-{task_id}")
    task.locator("summary").click()
    steps = task.locator("ol.steps li")
    assert steps.count() == 8
    assert f"Declined by {near.name}: Van has a flat tyre" in steps.nth(2).inner_text()
    assert "Nurse Akhmetova" in task.inner_text()
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 360

    photo = page.request.get(live_server.url + task.locator(".photos a").first.get_attribute("href"))
    assert photo.status == 200 and photo.headers["content-type"] == "image/png"

    page.select_option("select[name=kind]", "inspection")
    page.click("#history-filter button[type=submit]")
    page.wait_for_url("**kind=inspection**")
    assert page.locator("#history .empty").inner_text() == "No finished tasks match."
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 360
