"""The HQ screen's live feeds in Chromium, read by an HQ officer whose
language is Russian (issue 13, points 3 and 15): events arrive as sentences,
alerts in the reader's language, ranked by severity and kept to one kind."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from coordinator.common.clock import now

pytestmark = pytest.mark.browser


def test_events_and_alerts_read_as_sentences_in_the_readers_language(
    browser, live_server, sign_in, make, client, enqueue, run_jobs, db_session
):
    team = make.team("almaty", can_deliver=True)
    hq = make.account("hq")
    hq.user.locale = "ru"
    db_session.commit()
    page = sign_in(browser.new_context(viewport={"width": 1280, "height": 900}), hq)
    page.wait_for_selector("#live-state.ok")
    page.locator("summary", has_text="События в реальном времени").click()

    task = {"kind": "delivery", "title": "Masks to clinic 4", "lat": 43.25, "lon": 76.95}
    task_id = client.post("/api/v1/tasks", json=task, headers=hq.auth).get_json()["id"]
    run_jobs()  # offered to the team
    feed = page.locator("#event-feed")
    expect(feed).to_contain_text(f"Создано задание №{task_id}: Masks to clinic 4.")
    expect(feed).to_contain_text(f"Задание №{task_id} предложено бригаде {team.name}.")
    assert "task.offered" not in feed.inner_text() and "task.created" not in feed.inner_text()
    # No list numbers to clip: each row starts with its time.
    assert page.eval_on_selector("#event-feed", "el => getComputedStyle(el).listStyleType") == "none"

    # A silent phone and a breached case: alerts arrive live, in Russian, the most severe first.
    team.last_seen_at = now() - timedelta(hours=1)
    db_session.commit()
    enqueue("scan_alerts")
    run_jobs()
    alerts = page.locator("#alert-feed li[data-alert-id]")
    expect(alerts.first).to_contain_text(f"бригады на смене без связи (1): {team.name}.")
    make.case("almaty", due_in_minutes=-10)
    enqueue("scan_alerts")
    run_jobs()
    expect(alerts).to_have_count(2)
    expect(alerts.first).to_contain_text("срок нарушен")
    expect(alerts.nth(1)).to_contain_text("без связи")
    expect(feed).to_contain_text("Оповещение: ")

    # HQ keeps one kind.
    page.select_option("#alert-kind", "team_stale")
    expect(alerts).to_have_count(1)
    expect(alerts.first).to_contain_text("без связи")
    expect(page.locator("#alert-count")).to_have_text("1")
