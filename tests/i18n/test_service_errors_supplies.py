"""The errors the supplies and hotline services raise read in the caller's
language (a status or an item's name inside them too), and in English as
API clients know them."""

from __future__ import annotations

from tests.i18n.test_server_texts import _reader


def _supplies(make, db_session, locale: str):
    org = make.organization("almaty", tier=1)
    requester = _reader(make, db_session, "requester", locale, organization_id=org.id)
    mask = make.stock(make.warehouse("almaty"), "Medical mask", on_hand=100)
    return requester, mask


def _case(api, operator) -> int:
    body = {"channel": "phone", "category": "no_ppe", "description": "No masks on the line", "settlement": "Almaty"}
    status, filed = api("post", "/hotline/reports", operator, json=body)
    assert status == 201, filed
    return filed["case_id"]


def test_a_supply_request_refused_and_a_second_cancel_read_in_russian(api, make, db_session):
    requester, mask = _supplies(make, db_session, "ru")
    twice = [{"item_id": mask.id, "quantity": 3}, {"item_id": mask.id, "quantity": 4}]
    status, err = api("post", "/supply-requests", requester, json={"lines": twice})
    assert status == 422
    assert err["message"] == "Товар «Медицинская маска» запрошен дважды: укажите его в одной позиции."
    _, req = api("post", "/supply-requests", requester, json={"lines": [{"item_id": mask.id, "quantity": 3}]})
    assert api("post", f"/supply-requests/{req['id']}/cancel", requester, json={"reason": "ward closed"})[0] == 200
    status, err = api("post", f"/supply-requests/{req['id']}/cancel", requester, json={"reason": "again"})
    assert status == 409
    assert err["message"] == f"Заявка №{req['id']} в статусе «отменено», и её больше нельзя отменить."
    # The same refusals in English, word for word as before.
    requester.user.locale = "en"
    db_session.commit()
    status, err = api("post", f"/supply-requests/{req['id']}/cancel", requester, json={"reason": "again"})
    assert status == 409 and err["message"] == f"Request #{req['id']} is cancelled and can no longer be cancelled."


def test_a_bad_supply_line_reads_in_kazakh(api, make, db_session):
    requester, mask = _supplies(make, db_session, "kk")
    line = {"item_id": mask.id, "quantity": 2, "on_hand": 5}
    status, err = api("post", "/supply-requests", requester, json={"lines": [line]})
    assert status == 422
    assert err["message"] == (
        "1-позиция: қолдағы қорды да, тәуліктік шығынды да көрсетіңіз немесе екеуін де көрсетпеңіз."
    )
    status, err = api("post", "/supply-requests", requester, json={"lines": [{"item_id": 999999, "quantity": 2}]})
    assert status == 422 and err["message"] == "Белгісіз тауар 999999. /api/v1/items тізімінен таңдаңыз."


def test_a_hotline_step_that_does_not_apply_reads_in_russian_and_kazakh(api, make, db_session):
    operator = _reader(make, db_session, "hotline_operator", "ru")
    case = _case(api, operator)
    status, err = api("post", f"/hotline/cases/{case}/resolve", operator, json={"resolution": "Employer paid."})
    assert status == 409
    assert err["message"] == "Обращение в статусе «новое» нельзя перевести в статус «решено»."
    status, err = api("post", f"/hotline/cases/{case}/comments", operator, json={"text": "  "})
    assert status == 422 and err["message"] == "Напишите комментарий."

    operator.user.locale = "kk"
    db_session.commit()
    pause = {"waiting_on": "employer", "reason": "Asked the employer for payslips"}
    assert api("post", f"/hotline/cases/{case}/pause", operator, json=pause)[0] == 200
    status, err = api("post", f"/hotline/cases/{case}/pause", operator, json=pause)
    assert status == 409
    assert err["message"].endswith("өтініші қазірдің өзінде күтуде: жұмыс беруші.")
    status, err = api("post", f"/hotline/cases/{case}/inspection", operator, json={})
    assert status == 409
    assert err["message"] == "«жаңа» күйіндегі өтінішке тексеру тағайындалмайды: алдымен оны сұрыптаңыз."

    operator.user.locale = "en"
    db_session.commit()
    status, err = api("post", f"/hotline/cases/{case}/resolve", operator, json={"resolution": "Employer paid."})
    assert status == 409 and err["message"] == "A case that is new cannot become resolved."
