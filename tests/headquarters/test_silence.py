"""Issue 12, must show 3: an HQ silent for longer than its report interval is
flagged by the scheduled job and cleared by its next status report, live on
the national HQ's board (socket events and the page alike). Time moves by the
application clock (CLOCK_OFFSET_SECONDS), not by waiting."""

from coordinator.headquarters.models import Headquarters

HOUR = 3600
REPORT = {"staff_on_duty": 4, "open_cases": 2, "needs": "masks"}


def _flag(client, parse_html, hq) -> str:
    return parse_html(client.get("/hq/headquarters").get_data(as_text=True)).text(f"hq-{hq.id}-flag")


def _events(sio, type_, hq):
    return [e for e in sio.received if e["type"] == type_ and e["subject_id"] == hq.id]


def test_silence_is_flagged_by_the_job_and_cleared_by_the_next_report_live(
    app, make, api, login, client, parse_html, socket_client, enqueue, run_jobs, wait_for, db_session
):
    national = make.account("hq")
    almaty = make.hq("almaty")
    regional = make.account("hq", region_id=almaty.region_id)
    elsewhere = make.account("hq", region_id=make.region("pavlodar").id)
    assert api("post", f"/hqs/{almaty.id}/status-reports", json=REPORT)[0] == 201
    hq_room, region_room, other_room = (socket_client(a.token) for a in (national, regional, elsewhere))
    assert wait_for(lambda: all(getattr(s, "welcome", None) for s in (hq_room, region_room, other_room)))
    login(national)
    assert _flag(client, parse_html, almaty) == "reporting"

    # Eleven hours on, still within the default interval of 12 h: nothing is flagged.
    app.config["CLOCK_OFFSET_SECONDS"] = 11 * HOUR
    enqueue("flag_silent_hqs")
    run_jobs()
    assert _flag(client, parse_html, almaty) == "reporting"

    # Thirteen hours on, the scheduled job flags it, to the hq room and the HQ's region room.
    app.config["CLOCK_OFFSET_SECONDS"] = 13 * HOUR
    enqueue("flag_silent_hqs")
    assert run_jobs() == 2  # the flag, then the alert scan it asks for
    assert wait_for(lambda: _events(hq_room, "hq.silent", almaty))
    [silent] = _events(hq_room, "hq.silent", almaty)
    assert set(silent["rooms"]) == {"hq", f"region:{almaty.region_id}"}
    assert silent["after"]["silent"] is True and silent["after"]["interval_minutes"] == 720
    assert wait_for(lambda: _events(region_room, "hq.silent", almaty))
    db_session.expire_all()
    assert db_session.get(Headquarters, almaty.id).silent is True
    page = parse_html(client.get("/hq/headquarters").get_data(as_text=True))
    assert page.text(f"hq-{almaty.id}-flag") == "silent"
    assert almaty.name in page.text("silent-summary")
    # Flagged once: the next run raises nothing new.
    enqueue("flag_silent_hqs")
    run_jobs()

    # Its next report clears the flag, live.
    status, _ = api("post", f"/hqs/{almaty.id}/status-reports", account=regional, json=REPORT)
    assert status == 201
    assert wait_for(lambda: _events(hq_room, "hq.status_reported", almaty)[-1:] and
                    _events(hq_room, "hq.status_reported", almaty)[-1]["before"]["silent"] is True)  # fmt: skip
    cleared = _events(hq_room, "hq.status_reported", almaty)[-1]
    assert cleared["after"]["silent"] is False
    assert wait_for(lambda: len(_events(region_room, "hq.status_reported", almaty)) == 1)
    assert len(_events(hq_room, "hq.silent", almaty)) == 1
    assert _flag(client, parse_html, almaty) == "reporting"
    page = parse_html(client.get("/hq/headquarters").get_data(as_text=True))
    assert almaty.name not in page.text("silent-summary")
    db_session.expire_all()
    assert db_session.get(Headquarters, almaty.id).silent is False
    # Another region's HQ heard none of it.
    assert not [e for e in other_room.received if e["subject_type"] == "hq"]


def test_an_hq_with_an_interval_of_its_own_is_flagged_on_its_own_schedule(
    app, make, api, enqueue, run_jobs, db_session
):
    almaty, pavlodar = make.hq("almaty"), make.hq("pavlodar")
    status, body = api("patch", f"/hqs/{almaty.id}", json={"report_interval_minutes": 60})
    assert status == 200 and body["interval_minutes"] == 60 and body["report_interval_minutes"] == 60
    for hq in (almaty, pavlodar):
        assert api("post", f"/hqs/{hq.id}/status-reports", json=REPORT)[0] == 201

    app.config["CLOCK_OFFSET_SECONDS"] = 61 * 60
    enqueue("flag_silent_hqs")
    run_jobs()
    db_session.expire_all()
    assert db_session.get(Headquarters, almaty.id).silent is True
    assert db_session.get(Headquarters, pavlodar.id).silent is False

    # Back to the default (0 means: the setting's interval).
    status, body = api("patch", f"/hqs/{pavlodar.id}", json={"report_interval_minutes": 0})
    assert status == 200 and body["report_interval_minutes"] is None and body["interval_minutes"] == 720


def test_an_hq_that_never_reported_is_silent(make, enqueue, run_jobs, db_session):
    quiet = make.hq("atyrau")
    enqueue("flag_silent_hqs")
    run_jobs()
    db_session.expire_all()
    assert db_session.get(Headquarters, quiet.id).silent is True
