"""The status board: open and breached cases by the hotline's own count,
needs from the last report, on duty now; the report form is prefilled from the
same figures; text is shown as text."""


def test_board_counts_cases_as_the_hotline_does_and_prefills_the_report(make, api, client, login, parse_html):
    almaty, pavlodar, national_hq = make.hq("almaty"), make.hq("pavlodar"), make.hq(None)
    make.case("almaty", due_in_minutes=600)
    make.case("almaty", due_in_minutes=-5)  # past its SLA
    make.case("pavlodar", due_in_minutes=600)
    closed = make.case("pavlodar", due_in_minutes=-5)
    closed.status = "closed"
    make.session.commit()

    lines = {line["hq_id"]: line for line in api("get", "/hqs/board")[1]}
    assert (lines[almaty.id]["open_cases"], lines[almaty.id]["breached_cases"]) == (2, 1)
    assert (lines[pavlodar.id]["open_cases"], lines[pavlodar.id]["breached_cases"]) == (1, 0)
    assert (lines[national_hq.id]["open_cases"], lines[national_hq.id]["breached_cases"]) == (3, 1)
    assert list(lines) == [national_hq.id, *sorted((almaty.id, pavlodar.id), key=lambda i: lines[i]["name"])]
    assert api("get", f"/hqs/{almaty.id}/status-reports/prefill")[1] == {"staff_on_duty": 0, "open_cases": 2}

    needs = "<script>alert(1)</script> masks <img src=x onerror=alert(2)>"
    report = {"staff_on_duty": 2, "open_cases": 2, "needs": needs}
    assert api("post", f"/hqs/{almaty.id}/status-reports", json=report)[0] == 201
    login(make.account("hq"))
    html = client.get("/hq/headquarters").get_data(as_text=True)
    assert "<script>alert(1)" not in html and "<img src=x" not in html
    board = parse_html(html)
    assert board.text(f"hq-{almaty.id}-cases") == "2 1 past SLA"
    assert board.text(f"hq-{almaty.id}-needs") == needs
    page = parse_html(client.get(f"/hq/headquarters/{almaty.id}").get_data(as_text=True))
    assert page.text("hq-cases") == "2 1 past SLA"
    assert needs in page.text("reports")
    form = client.get(f"/hq/headquarters/{almaty.id}").get_data(as_text=True)
    assert 'name="open_cases" min="0" max="1000000" required inputmode="numeric" value="2"' in form


def test_the_board_and_report_form_speak_kazakh_and_russian(make, api, client, login, page_csrf, parse_html):
    almaty = make.hq("almaty")
    api("post", f"/hqs/{almaty.id}/status-reports", json={"staff_on_duty": 1, "open_cases": 0})
    login(make.account("hq"))
    for lang, title, every in (("ru", "Табло штабов", "каждые 12 ч"), ("kk", "Штабтар тақтасы", "әр 12 сағ сайын")):
        client.post("/lang", data={"lang": lang, "next": "/", "csrf_token": page_csrf()["X-CSRFToken"]})
        html = client.get("/hq/headquarters").get_data(as_text=True)
        assert title in html
        assert every in parse_html(html).text(f"hq-{almaty.id}-last")
        form = client.get(f"/hq/headquarters/{almaty.id}").get_data(as_text=True)
        assert "Staff on duty" not in form and "File the status report" not in form
