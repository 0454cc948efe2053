"""The bank's and the e-payment system's payment confirmations (罚缴分离, Art. 67).

POST /exchange/payments/confirmations, signed exactly like the 12345/110 webhooks
(`chengguan.intake.domain`: HMAC-SHA256 of "<timestamp>.<raw body>" under the shared
secret `CHENGGUAN["PAYMENT_SECRET"]`, in the X-Chengguan-Timestamp and
X-Chengguan-Signature headers, good for 5 minutes either side of our clock):

    {"channel": "bank" | "e_payment", "reference": "<18-digit 缴款识别码>",
     "transaction_id": "<the payer's bank's own number>", "amount": "530.00",
     "paid_at": "2026-11-27T10:00:00+08:00"}

Edges only. Checks run cheapest first: the secret is configured (503), the body is not
too large (413), the signature is genuine and fresh (401), the JSON is an object (400),
each field is right (422, naming it), the reference's check digits hold (400); then
`collection.payment_confirm`, whose refusals come back with their own status: a wrong
amount 400 (saying what is owed that day), an unknown reference 404, a transaction id
reused for another payment 409. The same confirmation sent again answers 200 as the first
time did, so the bank may retry until it hears back.

Answers are `{"code": 0, "message": "已登记", "case": ..., "fine": ..., "late_fee": ...}`
or `{"code": <HTTP status>, "message": ..., ["field": ...]}`.
"""

import re
import time
from datetime import UTC, datetime
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError
from django.utils.translation import gettext
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from chengguan.core.errors import DomainError, gettext_noop
from chengguan.intake.domain import (
    SIGNATURE_HEADER,
    SIGNATURE_TOLERANCE_SECONDS,
    TIMESTAMP_HEADER,
    InvalidField,
    _text,
    check_signature,
    decode_body,
)
from chengguan.intake.views import _answer, _check_size
from chengguan.penalties import collection
from chengguan.penalties.domain.numbers import payment_reference_valid
from chengguan.penalties.models import Payment
from chengguan.web.api import error_message

CHANNELS = (Payment.Channel.BANK.value, Payment.Channel.E_PAYMENT.value)
AMOUNT = re.compile(r"[0-9]{1,12}(\.[0-9]{1,2})?")
TRANSACTION_ID = re.compile(r"[^\s\x00-\x1f\x7f]{1,64}")
# A payment before this is a typing error, not a fine of this platform.
EARLIEST_PAYMENT = datetime(2020, 1, 1, tzinfo=UTC)


class NotConfigured(DomainError):
    status_code = 503


def _refusal(error: DomainError):
    body = {"code": error.status_code, "message": error_message(error)}
    if isinstance(error, InvalidField):
        body["field"] = error.field
    return _answer(body, error.status_code)


def _paid_at(data: dict) -> datetime:
    text = _text(data, "paid_at", 40, required=True)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidField(
            "paid_at",
            gettext_noop("字段 %(field)s 应为 ISO 8601 时间（如 2026-11-27T10:00:00+08:00）"),
        ) from None
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise InvalidField(
            "paid_at", gettext_noop("字段 %(field)s 须带时区（如 2026-11-27T10:00:00+08:00）")
        )
    try:
        moment = moment.astimezone(UTC)
    except OverflowError:
        raise InvalidField("paid_at", gettext_noop("字段 %(field)s 不是有效的缴款时间")) from None
    if moment < EARLIEST_PAYMENT:
        raise InvalidField("paid_at", gettext_noop("字段 %(field)s 不是有效的缴款时间"))
    if moment.timestamp() > time.time() + SIGNATURE_TOLERANCE_SECONDS:
        raise InvalidField("paid_at", gettext_noop("字段 %(field)s 不能晚于当前时间"))
    return moment


def _amount(data: dict) -> Decimal:
    value = data.get("amount")
    if value is not None and not isinstance(value, str):
        # A JSON number is a binary float: 0.1 + 0.2 is not 0.3. Money travels as text.
        raise InvalidField(
            "amount", gettext_noop('字段 %(field)s 应为字符串形式的金额（元），如 "500.00"')
        )
    text = _text(data, "amount", 16, required=True)
    if not AMOUNT.fullmatch(text):
        raise InvalidField(
            "amount", gettext_noop('字段 %(field)s 应为金额（元），最多两位小数，如 "500.00"')
        )
    return Decimal(text)


def parse_confirmation(data: dict) -> dict:
    """The decoded body checked field by field: InvalidField (422) naming the first bad
    one, DomainError (400) for a reference whose check digits do not hold."""
    channel = _text(data, "channel", 20, required=True)
    if channel not in CHANNELS:
        raise InvalidField("channel", gettext_noop("字段 %(field)s 应为 bank 或 e_payment"))
    reference = _text(data, "reference", 20, required=True)
    if not re.fullmatch(r"[0-9]{18}", reference):
        raise InvalidField("reference", gettext_noop("字段 %(field)s 应为 18 位数字的缴款识别码"))
    if not payment_reference_valid(reference):
        raise DomainError(gettext_noop("缴款识别码校验位错误"))
    transaction_id = _text(data, "transaction_id", 64, required=True)
    if not TRANSACTION_ID.fullmatch(transaction_id):
        raise InvalidField("transaction_id", gettext_noop("字段 %(field)s 不能含空白或控制字符"))
    return {
        "channel": channel,
        "reference": reference,
        "transaction_id": transaction_id,
        "amount": _amount(data),
        "paid_at": _paid_at(data),
    }


def _confirm(confirmation: dict) -> Payment:
    try:
        return collection.payment_confirm(**confirmation)
    except IntegrityError:
        # The same transaction arrived twice at once and the other copy was stored first:
        # asking again finds it and answers as for any repeat.
        return collection.payment_confirm(**confirmation)


@csrf_exempt
@require_POST
def payment_confirmation(request):
    """POST /exchange/payments/confirmations: the bank or e-payment system reports a fine paid."""
    secret = settings.CHENGGUAN.get("PAYMENT_SECRET", "")
    try:
        if not secret:
            raise NotConfigured(gettext_noop("未配置缴款确认密钥"))
        _check_size(request)
        check_signature(
            secret=secret,
            timestamp=request.headers.get(TIMESTAMP_HEADER),
            given=request.headers.get(SIGNATURE_HEADER),
            body=request.body,
            now=time.time(),
        )
        payment = _confirm(parse_confirmation(decode_body(request.body)))
    except DomainError as error:
        return _refusal(error)
    return _answer(
        {
            "code": 0,
            "message": gettext("已登记"),
            "case": payment.case.number,
            "fine": f"{payment.fine_part:.2f}",
            "late_fee": f"{payment.late_fee_part:.2f}",
        },
        200,
    )
