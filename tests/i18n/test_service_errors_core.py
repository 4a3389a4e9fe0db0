"""The messages of the 4xx answers the housing, field, import and map services
raise read in the caller's language (issue 13, point 19); in English they
read as before, since API clients and the other tests know them."""

from __future__ import annotations

import io

from tests.i18n.test_server_texts import _reader


def _upload(client, account, text: str):
    data = {"file": (io.BytesIO(text.encode()), "file.csv")}
    resp = client.post("/api/v1/facilities/import", data=data, headers=account.auth, content_type="multipart/form-data")
    return resp.status_code, resp.get_json()


def test_a_placement_from_an_unknown_place_and_a_step_out_of_order_in_russian(client, make, db_session, api):
    hq = _reader(make, db_session, "hq", "ru")
    body = {"contact_phone": "+7 701 555 12 12", "head_count": 2, "origin": "Gotham"}
    status, envelope = api("post", "/placements", hq, json=body)
    assert status == 422
    expected = "Неизвестный населённый пункт «Gotham». Проверьте написание или укажите координаты."
    assert envelope["message"] == expected and envelope["errors"] == {"origin": [expected]}

    team = make.team("almaty", can_deliver=True)
    crew = _reader(make, db_session, "field", "ru", team_id=team.id)
    task = make.task(team)
    status, envelope = api("post", f"/tasks/{task.id}/done", crew, json={})
    assert status == 409 and envelope["status"] == "offered"
    assert envelope["message"] == "Шаг «done» невозможен: задача сейчас в состоянии «предложено»."

    status, envelope = api(
        "post",
        "/placements",
        hq,
        json={"contact_phone": "+7 1", "head_count": 2, "origin_lat": 48.85, "origin_lon": 2.35},
    )
    assert status == 422 and "находится за пределами Казахстана" in envelope["message"]


def test_a_bad_csv_file_and_a_check_in_of_too_many_in_kazakh(client, make, db_session, api):
    hq = _reader(make, db_session, "hq", "kk")
    status, envelope = _upload(client, hq, "colour,size\nred,3\n")
    assert status == 422 and envelope["message"].startswith("Белгісіз бағандар: colour, size. Рұқсат етілгендер: ")
    status, envelope = _upload(client, hq, "name,kind\n")
    assert status == 422 and envelope["message"] == "Файлда тақырып жолы бар, бірақ деректер жолдары жоқ."

    placement = make.placement(make.facility("almaty", beds={"standard": 10}), head_count=2)
    status, envelope = api("post", f"/placements/{placement.id}/check-in", hq, json={"count": 5})
    assert status == 422
    assert envelope["message"] == "Бұл топ үшін 1 мен 2 аралығындағы адамды қоныстандыруға болады."
    status, envelope = api("get", "/tasks/999999", hq)
    assert status == 404 and envelope["message"] == "999999 нөмірлі тапсырма жоқ."


def test_the_same_answers_read_as_before_in_english(client, make, db_session, api):
    hq = _reader(make, db_session, "hq", "en")
    body = {"contact_phone": "+7 701 555 12 12", "head_count": 2, "origin": "Gotham"}
    status, envelope = api("post", "/placements", hq, json=body)
    assert status == 422
    assert envelope["message"] == "Unknown settlement 'Gotham'. Check the spelling or give coordinates."
    status, envelope = _upload(client, hq, "colour,size\nred,3\n")
    assert status == 422 and envelope["message"].startswith("Unknown columns: colour, size. Allowed: ")
    team = make.team("almaty", can_deliver=True)
    crew = _reader(make, db_session, "field", "en", team_id=team.id)
    status, envelope = api("post", f"/tasks/{make.task(team).id}/done", crew, json={})
    assert status == 409 and envelope["message"] == "Cannot done a task that is offered."


def test_an_hqs_bad_phone_and_interval_in_russian(make, db_session, api):
    national = _reader(make, db_session, "hq", "ru")
    hq = make.hq("almaty")
    status, envelope = api("patch", f"/hqs/{hq.id}", national, json={"phone": "call me"})
    assert status == 422
    assert envelope["errors"]["json"]["phone"] == [
        "Номер телефона состоит только из цифр, пробелов и знаков + ( ) - ., например +7 7172 00 00 00."
    ]
    status, envelope = api("patch", f"/hqs/{hq.id}", national, json={"report_interval_minutes": 5})
    assert status == 422 and envelope["message"].startswith("Укажите от ")
