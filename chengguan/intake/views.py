"""The partners' webhooks: a 12345 work order, a 110 transfer (docs/exchange.md).

Edges only. Checks run cheapest and most telling first: the partner is switched on (404),
the body is not too large (413), the signature is genuine and fresh (401), the JSON is an
object (400), each field is right (422, naming it); then one service call, whose refusals
(an unknown category, a point outside the city) come back as 400 and a replay as 409 with
the case the first delivery made.
"""

import hashlib
import time

from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from chengguan.core.errors import DomainError, NotFound, gettext_noop
from chengguan.intake import services
from chengguan.intake.domain import (
    MAX_BODY_BYTES,
    PARTNER_110,
    PARTNER_12345,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    InvalidField,
    PayloadTooLarge,
    check_signature,
    decode_body,
    parse_order,
)
from chengguan.web.api import error_message


def _answer(body: dict, status: int) -> JsonResponse:
    return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})


def _refusal(error: DomainError) -> JsonResponse:
    body = {"detail": error_message(error)}
    if isinstance(error, InvalidField):
        body["field"] = error.field
    if isinstance(error, services.DuplicateWorkOrder):
        body["case_number"] = error.case_number
    return _answer(body, error.status_code)


def _check_size(request) -> None:
    """Refuse by the declared length before reading, then by what actually came."""
    try:
        declared = int(request.headers.get("Content-Length") or 0)
    except ValueError:
        declared = 0
    if declared > MAX_BODY_BYTES or len(request.body) > MAX_BODY_BYTES:
        raise PayloadTooLarge(gettext_noop("请求体过大：最多 %(n)s 字节"), n=MAX_BODY_BYTES)


def _receive(request, partner: str) -> JsonResponse:
    config = services.partner_config(partner)
    try:
        if not config.enabled:
            raise NotFound(gettext_noop("未启用与 %(partner)s 的工单交换"), partner=partner)
        _check_size(request)
        check_signature(
            secret=config.secret,
            timestamp=request.headers.get(TIMESTAMP_HEADER),
            given=request.headers.get(SIGNATURE_HEADER),
            body=request.body,
            now=time.time(),
        )
        order = parse_order(partner, decode_body(request.body))
        work_order = services.work_order_receive(
            partner=partner,
            order=order,
            payload_sha256=hashlib.sha256(request.body).hexdigest(),
        )
    except DomainError as error:
        return _refusal(error)
    case = work_order.case
    return _answer(
        {
            "case_number": case.number,
            "tracking_code": case.reporters.get().tracking_code,
            "status": case.status,
        },
        201,
    )


@csrf_exempt
@require_POST
def work_order_12345(request):
    """POST /exchange/12345/work-orders: a work order from the 12345 hotline platform."""
    return _receive(request, PARTNER_12345)


@csrf_exempt
@require_POST
def transfer_110(request):
    """POST /exchange/110/transfers: a non-police matter 110 hands over to the city."""
    return _receive(request, PARTNER_110)
