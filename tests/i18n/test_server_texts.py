"""What the server composes reads in the reader's language: validation
errors (the API's envelope and the error page), the 404 page, the standard
items' names and units, the allocation's explanation, and the codes and
legends the browser renders."""

from __future__ import annotations

import json
import re

from coordinator.supplies.models import Item


def _reader(make, db_session, role: str, locale: str, **scope):
    account = make.account(role, **scope)
    account.user.locale = locale
    db_session.commit()
    return account


def test_validation_errors_name_the_fields_and_say_what_is_wrong_in_russian(client, make, db_session):
    hq = _reader(make, db_session, "hq", "ru")
    facility = make.facility("almaty")
    body = {"facility_id": facility.id, "head_count": "много", "contact_phone": "+7 701 000 0000"}
    resp = client.post("/api/v1/placements", json=body, headers=hq.auth)
    assert resp.status_code == 422
    envelope = resp.get_json()
    # The sentence and marshmallow's messages in Russian; the fields keep their keys for API clients
    # (a form names them by its labels: static/js/app.js).
    assert envelope["message"].startswith("Некоторые поля заполнены неверно: head_count")
    assert envelope["errors"]["json"]["head_count"] == ["Нужно целое число."]
    missing = client.post("/api/v1/placements", json={}, headers=hq.auth).get_json()
    assert "Обязательное поле." in missing["errors"]["json"]["head_count"]
    # In English, marshmallow's own words, as API clients know them.
    hq.user.locale = "en"
    db_session.commit()
    english = client.post("/api/v1/placements", json=body, headers=hq.auth).get_json()
    assert english["message"].startswith("Some fields are not valid: head_count")
    assert english["errors"]["json"]["head_count"] == ["Not a valid integer."]


def test_the_404_and_403_pages_and_a_bad_filter_speak_kazakh(client, make, db_session):
    hq = _reader(make, db_session, "hq", "kk")
    page = client.get("/no-such-page", headers=hq.auth)
    html = page.get_data(as_text=True)
    assert page.status_code == 404
    assert "Бұл мекенжайда ештеңе жоқ" in html and "The requested URL" not in html
    requester = _reader(make, db_session, "requester", "kk", organization_id=make.organization("almaty").id)
    refused = client.get("/hq/supplies", headers=requester.auth)
    assert refused.status_code == 403 and "Сіздің рөліңізге бұл бет қолжетімсіз" in refused.get_data(as_text=True)
    bad = client.get("/hq/supplies?status=nonsense", headers=hq.auth).get_data(as_text=True)
    assert "тізімнен таңдаңыз" in bad and "pick one from the list" not in bad


def test_standard_items_read_in_russian_and_items_people_made_as_entered(client, make, db_session):
    org = make.organization("almaty", tier=1)
    requester = _reader(make, db_session, "requester", "ru", organization_id=org.id)
    db_session.add_all(
        [
            Item(code="mask", name="Medical mask", unit="pcs", unit_kg=0.01),
            Item(code="bandage", name="Bandage roll", unit="rolls", unit_kg=0.05),
        ]
    )
    db_session.commit()
    html = client.get("/", headers=requester.auth).get_data(as_text=True)
    assert "Медицинская маска (шт.)" in html and "Medical mask" not in html
    assert "Bandage roll (rolls)" in html  # not a standard item: shown as its maker wrote it


def test_the_allocation_explains_itself_in_the_readers_language(app, client, make, api, db_session, run_jobs):
    from tests.supplies import pages_setup

    world = pages_setup.scarce(app, make, api)
    for org, asked in ((world.ours, 80), (world.theirs, 60)):
        body = {"organization_id": org.id, "lines": [{"item_id": world.masks.id, "quantity": asked}]}
        assert api("post", "/supply-requests", json=body)[0] == 201
    run_jobs()
    status, allocations = api("get", "/supplies/allocations")
    assert status == 200 and allocations
    allocation = allocations[0]
    why = allocation["reasoning"]
    # The sentence is kept as a message with its data; the English one stays for the API.
    assert why["explanation_text"]["msgid"] and "Medical mask" in why["explanation"]
    hq = _reader(make, db_session, "hq", "ru")
    board = client.get("/hq/supplies", headers=hq.auth).get_data(as_text=True)
    explanations = re.findall(r'<p class="muted explanation">(.*?)</p>', board, re.S)
    assert explanations and all("запросила" in e and "Медицинская маска" in e for e in explanations)
    assert not any("asked for" in e for e in explanations)


def test_map_codes_and_chart_legends_reach_the_browser_as_message_ids(client, make, db_session):
    hq = _reader(make, db_session, "hq", "kk")
    screen = client.get("/hq", headers=hq.auth).get_data(as_text=True)
    texts = json.loads(re.search(r'<script type="application/json" id="texts">(.*?)</script>', screen, re.S)[1])
    codes = json.loads(re.search(r"data-codes='(.*?)'", screen)[1].replace("&#34;", '"').replace("&quot;", '"'))
    # A case's category on the map ("help_request") and a task's status, as ids the page translates.
    category = codes["category"]["help_request"]
    assert texts[category] != category and texts[codes["task"]["accepted"]] == "қабылданды"
    sitrep = client.get("/sitrep", headers=hq.auth).get_data(as_text=True)
    data = json.loads(re.search(r'id="sitrep-data"[^>]*>(.*?)</script>', sitrep, re.S)[1])
    assert data["legend"]["in_service"] == "in service"
    sitrep_texts = json.loads(re.search(r'id="texts">(.*?)</script>', sitrep, re.S)[1])
    assert sitrep_texts["in service"] == "пайдалануда"


def test_why_a_group_waits_reads_in_russian_on_the_placements_page(client, make, db_session, api, run_jobs):
    make.facility("almaty", beds={"standard": 2})
    body = {"contact_phone": "+7 701 555 12 12", "origin": "Алматы", "head_count": 5, "needs_accessible": True}
    status, p = api("post", "/placements", json=body)
    assert status == 201
    run_jobs()
    status, waiting = api("get", f"/placements/{p['id']}")
    # The API keeps its English sentence; the decision keeps the message with its data.
    assert waiting["status"] == "waiting" and "larger than any suitable facility" in waiting["wait_reason"]
    assert waiting["decision"]["wait"]["msgid"]
    hq = _reader(make, db_session, "hq", "ru")
    page = client.get("/hq/placements", headers=hq.auth).get_data(as_text=True)
    assert "Группа из 5 человек больше" in page and "Нужен объект с безбарьерной средой" in page
    assert "larger than any" not in page and "Needs an accessible" not in page


def test_the_field_app_carries_its_task_statuses_as_message_ids(client, make, db_session):
    team = make.team("almaty")
    crew = _reader(make, db_session, "field", "kk", team_id=team.id)
    page = client.get("/field", headers=crew.auth).get_data(as_text=True)
    ids = json.loads(re.search(r"data-status-ids='(.*?)'", page)[1].replace("&#34;", '"').replace("&quot;", '"'))
    texts = json.loads(re.search(r'id="texts">(.*?)</script>', page, re.S)[1])
    assert texts[ids["accepted"]] == "қабылданды" and texts[ids["en_route"]] != "on the way"


def test_a_tasks_timeline_reads_in_the_readers_language(make, db_session, run_jobs, api):
    """The teams board opens a task's timeline from the API: each step comes
    with its sentence in the reader's language, the team named."""
    team = make.team("almaty", can_deliver=True)
    team.last_lat, team.last_lon = 43.26, 76.95
    db_session.commit()
    hq = _reader(make, db_session, "hq", "ru")
    status, task = api("POST", "/tasks", hq, json={"kind": "delivery", "title": "Маски", "lat": 43.25, "lon": 76.95})
    assert status == 201
    run_jobs()
    _, task = api("GET", f"/tasks/{task['id']}", hq)
    offered = [s for s in task["timeline"] if s["type"] == "task.offered"]
    assert offered and offered[0]["text"] == f"Предложена: {team.name}", task["timeline"]
