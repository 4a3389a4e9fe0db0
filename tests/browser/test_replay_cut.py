"""A page that reconnects after missing more events than a replay sends (a
long outage on a busy morning) is told the replay was cut short: it skips to
the newest event and refreshes its live regions, instead of believing it has
caught up from the 5,000th missed event."""

import pytest

from coordinator.field.models import Team
from tests.realtime.test_replay_limit import _many_events

pytestmark = pytest.mark.browser


def test_a_page_told_its_replay_was_cut_refreshes_and_skips_ahead(make, db_session, browser, live_server, sign_in):
    hq = make.account("hq")
    team = make.team("almaty", can_deliver=True)
    page = sign_in(browser.new_context(), hq)
    page.goto(live_server.url + "/hq/teams")
    page.wait_for_function("() => document.body.dataset.live === 'ok'")
    page.evaluate("() => window.Birlik.socket.disconnect()")

    # Meanwhile: more events than one replay sends, and a change the page can
    # learn only by refreshing (no event of its own names it).
    ids = _many_events(db_session, 5002, room="hq")
    db_session.get(Team, team.id).name = "Renamed while away"
    db_session.commit()

    page.evaluate("() => window.Birlik.socket.connect()")
    page.wait_for_function(
        "(newest) => Number(sessionStorage.getItem('birlik:lastEventId')) === newest", arg=ids[-1], timeout=60_000
    )
    page.wait_for_function(
        "(id) => document.getElementById(`team-${id}`)?.textContent.includes('Renamed while away')",
        arg=team.id,
        timeout=30_000,
    )
