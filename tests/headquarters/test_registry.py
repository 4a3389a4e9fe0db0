"""The HQ registry: contacts, region and staff; national HQ sees and edits
every HQ, a regional HQ only its own (403 for another), and only the national
HQ sets report intervals."""

from sqlalchemy import select

from coordinator.events.models import Event

CONTACTS = {"phone": "+7 727 000 11 22", "email": "almaty@hq.example.kz", "address": "Abai Ave 1, Almaty"}


def test_a_regional_hq_edits_its_own_hq_and_no_other(make, api, client, login):
    almaty, pavlodar, national_hq = make.hq("almaty"), make.hq("pavlodar"), make.hq(None)
    regional = make.account("hq", region_id=almaty.region_id)

    status, body = api("patch", f"/hqs/{almaty.id}", account=regional, json=CONTACTS)
    assert status == 200 and {k: body[k] for k in CONTACTS} == CONTACTS
    for other in (pavlodar, national_hq):
        status, body = api("patch", f"/hqs/{other.id}", account=regional, json={"phone": "+7 1"})
        assert status == 403 and "another region" in body["message"]
        assert api("post", f"/hqs/{other.id}/staff", account=regional, json={"username": "x"})[0] == 403
        assert api("get", f"/hqs/{other.id}", account=regional)[0] == 403
    assert [h["id"] for h in api("get", "/hqs", account=regional)[1]] == [almaty.id]
    assert [line["hq_id"] for line in api("get", "/hqs/board", account=regional)[1]] == [almaty.id]

    # Only the national HQ sets how often an HQ reports.
    status, body = api("patch", f"/hqs/{almaty.id}", account=regional, json={"report_interval_minutes": 60})
    assert status == 403 and "report_interval_minutes" in body["errors"]
    assert api("patch", f"/hqs/{pavlodar.id}", json={"report_interval_minutes": 60, "phone": "+7 7182 00"})[0] == 200

    # The pages follow the same scope; the registry edit form is on the HQ's own page.
    login(regional)
    assert client.get(f"/hq/headquarters/{pavlodar.id}").status_code == 403
    html = client.get(f"/hq/headquarters/{almaty.id}").get_data(as_text=True)
    assert f'data-api="PATCH /api/v1/hqs/{almaty.id}"' in html and CONTACTS["address"] in html
    assert 'name="report_interval_minutes"' not in html  # national only


def test_every_edit_is_an_event_in_the_hqs_rooms(make, api, db_session):
    almaty = make.hq("almaty")
    api("patch", f"/hqs/{almaty.id}", json={"phone": "+7 727 1"})
    api("patch", f"/hqs/{almaty.id}", json={"phone": "+7 727 1"})  # no change, no event
    worker = make.account("hq", region_id=almaty.region_id)
    api("post", f"/hqs/{almaty.id}/staff", json={"username": worker.user.username, "position": "duty officer"})
    api("post", f"/hqs/{almaty.id}/staff", json={"username": worker.user.username, "lead": True})
    rows = db_session.scalars(select(Event).where(Event.subject_type == "hq").order_by(Event.id)).all()
    assert [e.type for e in rows] == ["hq.updated", "hq.staff_added", "hq.staff_changed"]
    assert rows[0].before == {"phone": ""} and rows[0].after["phone"] == "+7 727 1"
    assert rows[2].before == {"lead": False, "position": "duty officer"} and rows[2].after["lead"] is True
    assert all(sorted(r.room for r in e.rooms) == ["hq", f"region:{almaty.region_id}"] for e in rows)
