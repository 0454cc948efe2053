"""The partners' webhooks over HTTP: a good order makes one case; every bad request gets
its 4xx with a message and leaves nothing behind."""

import json
import time

import pytest

from chengguan.accounts.selectors import roles_of
from chengguan.cases.models import Case, Reporter
from chengguan.core.models import LedgerEntry
from chengguan.intake.models import WorkOrder
from chengguan.intake.tests.conftest import TRANSFERS, WORK_ORDERS, signed
from chengguan.org.models import Grid, Region

pytestmark = pytest.mark.django_db


def nothing_written(before: int) -> bool:
    return Case.objects.count() == before and not WorkOrder.objects.exists()


def test_a_12345_work_order_becomes_a_case_with_an_encrypted_reporter(send, order):
    answer = send(WORK_ORDERS, order())

    assert answer.status_code == 201, answer.content
    body = answer.json()
    case = Case.objects.get(number=body["case_number"])
    assert body == {
        "case_number": case.number,
        "tracking_code": case.reporters.get().tracking_code,
        "status": "reported",
    }
    assert case.channel == "12345" and case.region_code == "410106"
    assert case.reporter.username == "exchange-12345" and roles_of(case.reporter) == {"operator"}
    assert not case.reporter.has_usable_password()
    reporter = Reporter.objects.get(case=case)
    assert reporter.channel == "12345" and reporter.name == "张三"
    assert reporter.phone_masked == "138****5678"
    row = Reporter.objects.filter(pk=reporter.pk).values().get()
    assert "13812345678" not in json.dumps(row, default=str)  # only the cipher is stored
    work_order = WorkOrder.objects.get(case=case)
    assert (work_order.partner, work_order.external_id, work_order.direction) == (
        "12345",
        "GD-20261127-0001",
        "in",
    )
    assert work_order.partner_deadline and work_order.located == "point"
    assert case.events.get(action="reported").data["client_time"].startswith("2026-11-27T")
    entry = LedgerEntry.objects.get(kind="exchange.work_order_received")
    assert entry.subject_id == str(work_order.pk) and case.number in entry.payload


def test_a_110_transfer_becomes_a_case_of_channel_110(send, order):
    body = order(work_order_id=None, transfer_id="JJ-410106-0001", incident_type="占道经营")

    answer = send(TRANSFERS, body, partner="110")

    assert answer.status_code == 201, answer.content
    case = Case.objects.get(number=answer.json()["case_number"])
    assert case.channel == "110" and case.reporter.username == "exchange-110"
    assert case.description.startswith("【占道经营】")
    assert WorkOrder.objects.get(case=case).partner == "110"


def test_a_replayed_order_gets_409_with_the_first_case_and_makes_no_second(send, order):
    first = send(WORK_ORDERS, order()).json()["case_number"]

    again = send(WORK_ORDERS, order())
    changed = send(WORK_ORDERS, order(description="另一段描述"))

    assert again.status_code == 409 and again.json()["case_number"] == first
    assert "重复的工单" in again.json()["detail"]
    assert changed.status_code == 409 and "内容与首次不同" in changed.json()["detail"]
    assert Case.objects.filter(channel="12345").count() == 1
    assert WorkOrder.objects.count() == 1


def test_the_same_number_from_the_other_partner_is_another_order(send, order):
    send(WORK_ORDERS, order(work_order_id="X-1"))
    transfer = order(work_order_id=None, transfer_id="X-1")
    assert send(TRANSFERS, transfer, partner="110").status_code == 201


def test_a_bad_signature_is_refused_unread(send, order):
    before = Case.objects.count()
    body = json.dumps(order()).encode()
    forged = signed(body, "12345", key="not-the-secret")

    answer = send(WORK_ORDERS, body, headers=forged)

    assert answer.status_code == 401 and answer.json()["detail"] == "签名无效"
    assert nothing_written(before)


def test_an_unsigned_request_is_told_which_headers_are_missing(send, order):
    answer = send(WORK_ORDERS, order(), headers={})
    assert answer.status_code == 401
    assert "X-Chengguan-Signature" in answer.json()["detail"]


def test_another_partners_secret_does_not_sign_for_12345(send, order):
    body = json.dumps(order()).encode()
    answer = send(WORK_ORDERS, body, headers=signed(body, "110"))
    assert answer.status_code == 401


def test_a_stale_timestamp_is_refused_as_expired(send, order):
    before = Case.objects.count()
    body = json.dumps(order()).encode()

    answer = send(WORK_ORDERS, body, headers=signed(body, "12345", at=time.time() - 301))

    assert answer.status_code == 401 and answer.json()["detail"].startswith("签名已过期")
    assert nothing_written(before)


def test_malformed_json_is_400_with_where_it_broke(send):
    before = Case.objects.count()
    answer = send(WORK_ORDERS, b'{"work_order_id": "GD-1",')
    assert answer.status_code == 400
    assert answer.json()["detail"].startswith("请求体不是有效的 JSON：第 1 行")
    assert nothing_written(before)


def test_a_json_array_is_400(send):
    assert send(WORK_ORDERS, b"[]").status_code == 400


def test_a_missing_field_is_422_naming_it(send, order):
    before = Case.objects.count()
    answer = send(WORK_ORDERS, order(work_order_id=None))
    assert answer.status_code == 422
    assert answer.json() == {"detail": "缺少必填字段 work_order_id", "field": "work_order_id"}
    assert nothing_written(before)


def test_an_oversized_body_is_413(send, order):
    answer = send(WORK_ORDERS, order(description="垃" * 100_000))
    assert answer.status_code == 413 and "请求体过大" in answer.json()["detail"]


def test_an_unknown_category_is_400_and_leaves_nothing(send, order):
    before = Case.objects.count()
    answer = send(WORK_ORDERS, order(category_code="99999"))
    assert answer.status_code == 400 and "99999" in answer.json()["detail"]
    assert nothing_written(before)


def test_a_point_outside_the_city_is_400_and_leaves_nothing(send, order):
    before = Case.objects.count()
    answer = send(WORK_ORDERS, order(lon=116.397, lat=39.909))  # Beijing
    assert answer.status_code == 400 and "不在本市网格范围内" in answer.json()["detail"]
    assert nothing_written(before)


def test_a_bad_caller_phone_is_400_and_leaves_nothing(send, order):
    before = Case.objects.count()
    answer = send(WORK_ORDERS, order(caller_phone="12"))
    assert answer.status_code == 400 and "电话号码格式不正确" in answer.json()["detail"]
    assert nothing_written(before)


def test_an_address_naming_a_street_is_placed_in_that_street(send, order):
    street = (
        Region.objects.filter(kind="street", code__startswith="410106")
        .filter(code__in=Grid.objects.values("street__code"))
        .order_by("code")
        .first()
    )
    answer = send(WORK_ORDERS, order(lon=None, lat=None, address=f"上街区{street.name}某小区门口"))

    assert answer.status_code == 201, answer.content
    case = Case.objects.get(number=answer.json()["case_number"])
    assert case.street_code == street.code
    assert WorkOrder.objects.get(case=case).located == "address"


def test_an_address_naming_no_street_asks_for_coordinates(send, order):
    answer = send(WORK_ORDERS, order(lon=None, lat=None, address="某小区门口"))
    assert answer.status_code == 400 and "请提供 lon 和 lat" in answer.json()["detail"]


def test_a_partner_switched_off_gets_404(send, order, settings):
    exchange = settings.CHENGGUAN["EXCHANGE"] | {"110": {"enabled": False, "secret": ""}}
    settings.CHENGGUAN = settings.CHENGGUAN | {"EXCHANGE": exchange}
    answer = send(TRANSFERS, order(transfer_id="JJ-1"), partner="12345")
    assert answer.status_code == 404 and "未启用" in answer.json()["detail"]


def test_only_post_is_allowed(client):
    assert client.get(WORK_ORDERS).status_code == 405
