"""Spans of time read "35 min", "5 h 20 min", "2 d 5 h", in the reader's
language, not "3176 min"."""

from datetime import timedelta

import pytest

from coordinator.common.clock import now

AGES = {"2 d 5 h": timedelta(days=2, hours=5, minutes=7), "35 min": timedelta(minutes=35, seconds=20)}
RUSSIAN = {"2 d 5 h": "2 д 5 ч", "35 min": "35 мин"}
KAZAKH = {"2 d 5 h": "2 күн 5 сағ", "35 min": "35 мин"}


@pytest.mark.parametrize("locale, words", [("en", None), ("ru", RUSSIAN), ("kk", KAZAKH)])
def test_team_ages_read_as_days_hours_and_minutes(client, make, db_session, login, parse_html, locale, words):
    teams = {label: make.team("almaty", last_seen_at=now() - age) for label, age in AGES.items()}
    hq = make.account("hq")
    hq.user.locale = locale
    db_session.commit()
    login(hq)
    page = parse_html(client.get("/hq/teams").get_data(as_text=True))
    for label, team in teams.items():
        expected = words[label] if words else label
        assert page.text(f"team-{team.id}").endswith(f" {expected}"), page.text(f"team-{team.id}")


def test_the_hq_screen_queue_reads_spans_not_thousands_of_minutes(client, make, db_session, login):
    case = make.case("almaty", due_in_minutes=-(2 * 24 * 60 + 4 * 60 + 56))  # breached 3176 min ago
    case.created_at = now() - timedelta(days=3, hours=1, minutes=1)
    db_session.commit()
    hq = make.account("hq")
    login(hq)
    html = client.get("/hq").get_data(as_text=True)
    assert "3 d 1 h · SLA breached 2 d 4 h ago" in html
    assert " min ·" not in html
