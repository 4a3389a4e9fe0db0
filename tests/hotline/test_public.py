"""The public report form and the reporter's lookup: no sign-in, anonymous
allowed, kk/ru/en; a resent form files nothing twice; spam traps (honeypot,
minimum fill time) and limits per address (429 with Retry-After); a wrong
code answers exactly as an unknown case does."""

import re

from coordinator.hotline.models import Case, Report


def test_the_form_opens_without_sign_in_in_three_languages(client):
    page = client.get("/report")
    assert page.status_code == 200 and "Report a violation at work" in page.get_data(as_text=True)
    html = page.get_data(as_text=True)
    assert 'name="website"' in html and 'name="form_token"' in html
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    for lang, words in (("ru", "Сообщить о нарушении"), ("kk", "Жұмыстағы бұзушылық")):
        client.post("/lang", data={"lang": lang, "next": "/report", "csrf_token": token})
        assert words in client.get("/report").get_data(as_text=True)


def test_anonymous_public_report_gets_number_and_code(submit_public, db_session, count):
    resp = submit_public(anonymous="on", reporter_name="Should not be kept", reporter_contact="+77019998877")
    assert resp.status_code == 201, resp.get_json()
    answer = resp.get_json()
    report = db_session.query(Report).one()
    assert answer["number"] == report.public_number == report.case.number
    assert re.fullmatch(r"[A-Z2-9]{5}-[A-Z2-9]{5}", answer["lookup_code"])
    assert report.channel == "web" and report.anonymous
    assert report.reporter_name is None and report.reporter_contact is None and report.reporter_key is None
    assert count(Case) == 1


def test_a_plain_form_post_answers_with_a_page(client, public_form):
    data = {
        **public_form(),
        "category": "dismissal",
        "description": "Fired for asking for masks",
        "settlement": "Atyrau",
    }
    page = client.post("/report", data=data)
    assert page.status_code == 201
    html = page.get_data(as_text=True)
    assert re.search(r'id="done-number">C-\d{4}-\d{6}<', html) and 'id="done-code"' in html


def test_resending_the_same_form_files_once_and_answers_the_same(submit_public, public_form, count):
    form = public_form()
    first = submit_public(form)
    again = submit_public(form)  # the connection dropped before the first answer arrived
    assert first.status_code == 201 and again.status_code == 200
    assert again.get_json() == first.get_json()
    assert count(Report) == 1


def test_bad_input_names_the_field_and_keeps_nothing(submit_public, client, public_form, count):
    for fields, name in (
        ({"description": ""}, "description"),
        ({"description": "x" * 6000}, "description"),
        ({"category": "aliens"}, "category"),
        ({"settlement": "Qwertyuiopgrad"}, "settlement"),
        ({"settlement": "", "lat": "1", "lon": "2"}, "lat"),
        ({"workers_affected": "many"}, "workers_affected"),
    ):
        resp = submit_public(**fields)
        assert resp.status_code == 422, (fields, resp.get_json())
        assert name in resp.get_json()["errors"], (fields, resp.get_json())
    # The page a plain post gets keeps what was typed, escaped.
    data = {**public_form(), "category": "no_ppe", "description": "<b>kept</b>", "settlement": "Qwertyuiopgrad"}
    html = client.post("/report", data=data).get_data(as_text=True)
    assert "&lt;b&gt;kept&lt;/b&gt;" in html and "<b>kept</b>" not in html
    assert count(Report) == 0


def test_honeypot_and_hasty_forms_are_refused(submit_public, app, count):
    resp = submit_public(website="http://spam.example")
    assert resp.status_code == 400 and "could not be accepted" in resp.get_json()["message"]
    app.config["HOTLINE_MIN_FILL_SECONDS"] = 30
    resp = submit_public()  # sent the moment the form opened
    assert resp.status_code == 400
    assert submit_public(form_token="forged.token.here").status_code == 400
    assert count(Report) == 0


def test_public_reports_are_limited_per_address(submit_public, app, count):
    app.config["HOTLINE_PUBLIC_REPORTS"] = 3
    for _ in range(3):
        assert submit_public(address="198.51.100.1").status_code == 201
    refused = submit_public(address="198.51.100.1")
    assert refused.status_code == 429 and 0 < int(refused.headers["Retry-After"]) <= 3600
    assert submit_public(address="198.51.100.2").status_code == 201  # another address is not affected
    assert count(Report) == 4


def test_lookup_shows_status_and_public_steps_only(submit_public, lookup, api, make):
    answer = submit_public(reporter_name="Dana", reporter_contact="+77015550000").get_json()
    found = lookup(answer["number"], answer["lookup_code"].lower().replace("-", " "))
    assert found.status_code == 200
    body = found.get_json()
    assert body["status"] == "new" and [s["status"] for s in body["steps"]] == ["new"]
    assert set(body) == {"number", "status", "steps"}
    html = lookup(answer["number"], answer["lookup_code"], address="203.0.113.9")
    assert html.status_code == 200


def test_a_wrong_code_answers_as_an_unknown_case(submit_public, lookup):
    answer = submit_public().get_json()
    wrong = lookup(answer["number"], "AAAAA-AAAAA")
    unknown = lookup("C-2099-999999", answer["lookup_code"])
    assert wrong.status_code == unknown.status_code == 404
    assert wrong.get_json() == unknown.get_json()
    assert wrong.headers.get("Content-Length") == unknown.headers.get("Content-Length")


def test_guessing_codes_is_limited_per_address(submit_public, lookup, app):
    app.config["HOTLINE_LOOKUP_FAILURES"] = 5
    answer = submit_public().get_json()
    for n in range(5):
        assert lookup(answer["number"], f"WRONG-{n}", address="192.0.2.50").status_code == 404
    refused = lookup(answer["number"], answer["lookup_code"], address="192.0.2.50")  # even the right code now
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    assert lookup(answer["number"], answer["lookup_code"], address="192.0.2.51").status_code == 200
