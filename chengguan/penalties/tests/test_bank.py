"""The bank's and e-payment system's signed payment confirmations (罚缴分离, Art. 67):
POST /exchange/payments/confirmations.

The case comes through the services (register → evidence → notice → statement waived →
decision → service), on fixed dates around late October 2026 so the 15-day payment period
and the late fee (Art. 72: 3 % of the fine a day) can be checked against the calendar.
"""

import io
import itertools
import json
import time
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from PIL import Image

from chengguan.intake.domain import SIGNATURE_HEADER, TIMESTAMP_HEADER, signature
from chengguan.penalties import services, steps
from chengguan.penalties.domain.numbers import payment_reference
from chengguan.penalties.domain.procedure import Penalty, PenaltyKind
from chengguan.penalties.models import Payment, PenaltyCase

BEIJING = ZoneInfo("Asia/Shanghai")
URL = "/exchange/payments/confirmations"
SECRET = "test-payment-secret-0123456789abcdef"

_serial = itertools.count(1)


def _at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=BEIJING)


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 40, 40)).save(buffer, format="PNG")
    return buffer.getvalue()


def _officer_person(*, agency, user=None, name: str):
    from chengguan.workforce.models import Person
    from chengguan.workforce.services import assessment_add, certificate_add, person_create
    from chengguan.workforce.tests.test_id_number import valid_id

    n = next(_serial)
    person = person_create(
        kind=Person.Kind.OFFICER,
        name=name,
        id_number=valid_id(f"41010519800101{n:03d}"),
        agency=agency,
        rank="三级主办",
        user=user,
    )
    certificate_add(
        person=person,
        number=f"豫410105-TEST-{n:04d}",
        issued_on=date(2024, 1, 1),
        expires_on=date(2029, 12, 31),
    )
    assessment_add(person=person, year=2025, result="competent")
    return person


def _officer(user_factory):
    """An officer account of 金水区 registered in the workforce with a valid certificate."""
    from chengguan.org.models import Agency

    agency = Agency.objects.get(code="410105-ZD")
    user = user_factory("officer", region="410105", agency=agency)
    _officer_person(agency=agency, user=user, name="赵执法")
    return user


def _co_officer(user):
    """A second certified officer of the same agency (no account needed)."""
    return _officer_person(agency=user.agency, name="钱协办")


def _decided_case(
    officer,
    *,
    registered_on: date = date(2026, 10, 9),
    decided_on: date = date(2026, 10, 13),
    served_on: date | None = date(2026, 10, 13),
    fine: Decimal = Decimal("500"),
    party: steps.Party | None = None,
    facts: str = "当事人在金水路与经三路交叉口东南角占用城市道路摆摊设点经营水果，影响通行。",
) -> PenaltyCase:
    """A fine decided on `decided_on` and served on `served_on` (None: not served)."""
    from chengguan.powers.models import Power

    co = _co_officer(officer)
    case = services.penalty_register(
        actor=officer,
        power_id=Power.objects.get(code="ZF-GS-001").pk,
        party=party or steps.Party(kind="person", name="李四", address="金水区经三路"),
        place="金水路与经三路交叉口东南角",
        occurred_on=registered_on,
        discovered_on=registered_on,
        facts=facts,
        source="巡查发现",
        co_investigator_ids=[co.pk],
        at=_at(registered_on, 9),
    )
    services.evidence_add(
        actor=officer,
        case_id=case.pk,
        kind="audio_visual",
        title="现场照片",
        data=_png(),
        filename="scene.png",
        at=_at(registered_on, 10),
    )
    services.penalty_notify(
        actor=officer,
        case_id=case.pk,
        penalties=[Penalty(PenaltyKind.FINE, fine)],
        at=_at(registered_on, 11),
    )
    services.statement_record(
        actor=officer, case_id=case.pk, waived=True, at=_at(registered_on, 12)
    )
    services.penalty_decide(actor=officer, case_id=case.pk, at=_at(decided_on, 9))
    if served_on is not None:
        services.penalty_serve(
            actor=officer,
            case_id=case.pk,
            method="direct",
            recipient="当事人本人",
            at=_at(served_on, 15),
        )
    case.refresh_from_db()
    return case


# ---------------------------------------------------------------- the endpoint


@pytest.fixture
def bank(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.CHENGGUAN = {**settings.CHENGGUAN, "PAYMENT_SECRET": SECRET}


def _post(
    client, body, *, secret: str = SECRET, timestamp: int | None = None, raw: bytes | None = None
):
    data = raw if raw is not None else json.dumps(body, ensure_ascii=False).encode()
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    return client.post(
        URL,
        data=data,
        content_type="application/json",
        headers={TIMESTAMP_HEADER: stamp, SIGNATURE_HEADER: signature(secret, stamp, data)},
    )


def _confirmation(
    case: PenaltyCase,
    *,
    amount: str = "500.00",
    paid_on: date | None = None,
    transaction_id: str = "BOC20261027000123",
):
    paid = _at(paid_on or case.payment_due, 10)
    return {
        "channel": "bank",
        "reference": case.payment_reference,
        "transaction_id": transaction_id,
        "amount": amount,
        "paid_at": paid.isoformat(),
    }


def _body(**changes) -> dict:
    """A well-formed confirmation for a reference nobody was issued: for the checks that
    refuse a message before any case is looked up."""
    return {
        "channel": "bank",
        "reference": payment_reference(region_code="410105", year=2026, serial=987654),
        "transaction_id": "BOC20261027000123",
        "amount": "500.00",
        "paid_at": "2026-10-28T10:00:00+08:00",
        **changes,
    }


def _owed_by_rule(fine: Decimal, due: date, paid: date) -> Decimal:
    """Art. 72(1) written out: 3 % of the fine for each day after the due date, capped at
    the fine, rounded to the fen."""
    days = max(0, (paid - due).days)
    fee = min((fine * Decimal("0.03") * days).quantize(Decimal("0.01")), fine)
    return fine + fee


@pytest.fixture
def served(bank, user_factory):
    """A 500-yuan fine served on Tuesday 13 October 2026: 15 natural days later is
    Wednesday 28 October, a working day, so that is the last day to pay."""
    case = _decided_case(_officer(user_factory))
    assert case.status == "served"
    assert case.payment_due == date(2026, 10, 28)
    return case


@pytest.mark.django_db
def test_signed_confirmation_executes_the_case(client, served):
    answer = _post(client, _confirmation(served))

    assert answer.status_code == 200, answer.content
    assert answer.json() == {
        "code": 0,
        "message": "已登记",
        "case": served.number,
        "fine": "500.00",
        "late_fee": "0.00",
    }
    served.refresh_from_db()
    assert served.status == "executed"
    payment = Payment.objects.get(case=served)
    assert (payment.channel, payment.transaction_id) == ("bank", "BOC20261027000123")
    assert (payment.amount, payment.fine_part, payment.late_fee_part) == (
        Decimal("500.00"),
        Decimal("500.00"),
        Decimal("0.00"),
    )
    assert payment.paid_at == _at(date(2026, 10, 28))


@pytest.mark.django_db
def test_e_payment_channel_is_taken(client, served):
    answer = _post(client, {**_confirmation(served), "channel": "e_payment"})

    assert answer.status_code == 200, answer.content
    assert Payment.objects.get(case=served).channel == "e_payment"


@pytest.mark.django_db
def test_a_replayed_confirmation_answers_the_same_and_stores_nothing_new(client, served):
    body = _confirmation(served)
    first = _post(client, body)
    again = _post(client, body)

    assert first.status_code == again.status_code == 200
    assert again.json() == first.json()
    assert Payment.objects.filter(case=served).count() == 1


@pytest.mark.django_db
def test_a_transaction_id_reused_for_another_amount_is_a_conflict(client, served):
    assert _post(client, _confirmation(served)).status_code == 200

    answer = _post(client, _confirmation(served, amount="400.00"))

    assert answer.status_code == 409
    assert answer.json()["code"] == 409
    assert Payment.objects.filter(case=served).count() == 1


@pytest.mark.django_db
def test_wrong_signature_is_refused(client, served):
    answer = _post(client, _confirmation(served), secret="somebody-else-s-secret")

    assert answer.status_code == 401
    assert answer.json() == {"code": 401, "message": "签名无效"}
    served.refresh_from_db()
    assert served.status == "served"
    assert not Payment.objects.exists()


@pytest.mark.django_db
def test_missing_signature_is_refused(client, served):
    answer = client.post(
        URL, data=json.dumps(_confirmation(served)), content_type="application/json"
    )

    assert answer.status_code == 401
    assert not Payment.objects.exists()


@pytest.mark.django_db
def test_stale_timestamp_is_refused(client, served):
    answer = _post(client, _confirmation(served), timestamp=int(time.time()) - 301)

    assert answer.status_code == 401
    assert "过期" in answer.json()["message"]
    assert not Payment.objects.exists()


@pytest.mark.django_db
def test_wrong_amount_is_refused_with_what_is_owed(client, served):
    answer = _post(client, _confirmation(served, amount="400.00"))

    assert answer.status_code == 400
    assert answer.json()["code"] == 400
    assert "500.00" in answer.json()["message"]
    assert not Payment.objects.exists()


@pytest.mark.django_db
def test_paying_late_requires_the_late_fee(client, served):
    paid_on = date(2026, 10, 30)  # two days after the last day to pay
    owed = _owed_by_rule(Decimal("500"), date(2026, 10, 28), paid_on)
    assert owed == Decimal("530.00")

    short = _post(client, _confirmation(served, paid_on=paid_on))
    assert short.status_code == 400
    assert "530.00" in short.json()["message"]

    answer = _post(client, _confirmation(served, amount=f"{owed:.2f}", paid_on=paid_on))
    assert answer.status_code == 200, answer.content
    assert answer.json()["fine"] == "500.00"
    assert answer.json()["late_fee"] == "30.00"
    payment = Payment.objects.get(case=served)
    assert payment.amount == owed
    assert payment.late_fee_part == Decimal("30.00")


@pytest.mark.django_db
def test_unknown_reference_is_not_found(client, bank):
    answer = _post(client, _body())

    assert answer.status_code == 404
    assert answer.json() == {"code": 404, "message": "缴款识别码不存在"}


@pytest.mark.django_db
def test_reference_with_wrong_check_digits_is_refused(client, bank):
    reference = _body()["reference"]
    mistyped = reference[:-2] + f"{(int(reference[-2:]) + 1) % 100:02d}"

    answer = _post(client, _body(reference=mistyped))

    assert answer.status_code == 400
    assert answer.json() == {"code": 400, "message": "缴款识别码校验位错误"}


@pytest.mark.django_db
def test_bad_json_is_refused(client, bank):
    answer = _post(client, None, raw=b'{"channel": "bank",')

    assert answer.status_code == 400
    assert answer.json()["code"] == 400
    assert "JSON" in answer.json()["message"]


@pytest.mark.django_db
@pytest.mark.parametrize("field", ["channel", "reference", "transaction_id", "amount", "paid_at"])
def test_missing_field_is_named(client, bank, field):
    body = _body()
    del body[field]

    answer = _post(client, body)

    assert answer.status_code == 422
    assert answer.json()["field"] == field
    assert field in answer.json()["message"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("channel", "cash"),
        ("channel", 1),
        ("reference", "41010520260000018"),
        ("reference", ["410105202600000181"]),
        ("transaction_id", "BOC 1"),
        ("transaction_id", "x" * 65),
        ("amount", 500),
        ("amount", 500.0),
        ("amount", "500.001"),
        ("amount", "-500.00"),
        ("amount", "NaN"),
        ("amount", "1e3"),
        ("amount", None),
        ("paid_at", "2026-10-28T10:00:00"),  # no offset: which day was it?
        ("paid_at", "2026-10-28"),
        ("paid_at", "yesterday"),
        ("paid_at", "0001-01-01T00:00:00+08:00"),
        ("paid_at", "2999-01-01T00:00:00+08:00"),
        ("paid_at", 1793239200),
    ],
)
def test_invalid_field_is_named(client, bank, field, value):
    answer = _post(client, _body(**{field: value}))

    assert answer.status_code == 422, answer.content
    assert answer.json()["code"] == 422
    assert answer.json()["field"] == field
    assert not Payment.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("raw", [b"[]", b"null", b"\xff\xfe", b"", b'"text"'])
def test_a_body_that_is_no_object_is_refused(client, bank, raw):
    answer = _post(client, None, raw=raw)

    assert answer.status_code == 400
    assert answer.json()["code"] == 400


@pytest.mark.django_db
def test_paying_an_executed_case_again_is_refused_not_an_error(client, served):
    assert _post(client, _confirmation(served)).status_code == 200

    answer = _post(client, _confirmation(served, transaction_id="BOC20261028000999"))

    assert 400 <= answer.status_code < 500
    assert Payment.objects.filter(case=served).count() == 1


@pytest.mark.django_db
def test_a_decided_but_unserved_fine_may_be_paid(client, bank, user_factory):
    case = _decided_case(_officer(user_factory), served_on=None)
    assert case.status == "decided"

    answer = _post(client, _confirmation(case, paid_on=date(2026, 10, 14)))

    assert answer.status_code == 200, answer.content
    case.refresh_from_db()
    assert case.status == "executed"


@pytest.mark.django_db
def test_without_a_secret_the_endpoint_is_unavailable(client, bank, settings):
    settings.CHENGGUAN = {**settings.CHENGGUAN, "PAYMENT_SECRET": ""}

    answer = _post(client, _body(), secret="")

    assert answer.status_code == 503
    assert answer.json() == {"code": 503, "message": "未配置缴款确认密钥"}


@pytest.mark.django_db
def test_only_post_is_allowed(client, bank):
    assert client.get(URL).status_code == 405


@pytest.mark.django_db
def test_an_oversized_body_is_refused(client, bank):
    body = _body(note="x" * (256 * 1024))

    answer = _post(client, body)

    assert answer.status_code == 413
    assert answer.json()["code"] == 413
