"""The work-order exchange with the 12345 hotline platform and 110, as pure rules: how a
message is signed and checked, what an incoming work order must contain, what counts as a
partner's acknowledgement, and how long to wait before trying a callback again.

No Django here: the views and services call these with plain values, and the tests run
them in milliseconds. The contracts themselves are written down in docs/exchange.md.
"""

import hashlib
import hmac
import json
import math
import re
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from chengguan.core.errors import DomainError, gettext_noop

PARTNER_12345 = "12345"
PARTNER_110 = "110"
PARTNERS = (PARTNER_12345, PARTNER_110)

TIMESTAMP_HEADER = "X-Chengguan-Timestamp"
SIGNATURE_HEADER = "X-Chengguan-Signature"
# A signed message is good for this long either side of our clock: long enough for a
# partner's clock to drift, short enough that a captured request cannot be replayed later.
SIGNATURE_TOLERANCE_SECONDS = 300
MAX_BODY_BYTES = 256 * 1024

# Partners' times without an offset are read as Beijing time, as both platforms keep it.
BEIJING = ZoneInfo("Asia/Shanghai")


class Unauthorized(DomainError):
    """The message is not proven to come from the partner: it is refused unread."""

    status_code = 401


class PayloadTooLarge(DomainError):
    status_code = 413


class MalformedBody(DomainError):
    """The body is not a JSON object at all."""


class InvalidField(DomainError):
    """The JSON is well formed but a field is missing or wrong; `field` names it."""

    status_code = 422

    def __init__(self, field: str, message: str, **params: object) -> None:
        self.field = field
        super().__init__(message, field=field, **params)


# ---------------------------------------------------------------- signatures


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """`sha256=<hex>`: HMAC-SHA256 of "<timestamp>.<raw body>" under the shared secret.
    The timestamp is inside the MAC, so it cannot be changed to make an old message fresh."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def check_signature(
    *, secret: str, timestamp: str | None, given: str | None, body: bytes, now: float
) -> None:
    """Return None for a genuine, fresh message; raise Unauthorized saying what is wrong.

    The signature is checked before the time, so only the holder of the secret learns
    that a message was refused for its age.
    """
    if not timestamp or not given:
        raise Unauthorized(
            gettext_noop("缺少签名：请提供 %(timestamp)s 和 %(signature)s 请求头"),
            timestamp=TIMESTAMP_HEADER,
            signature=SIGNATURE_HEADER,
        )
    if not re.fullmatch(r"[0-9]{1,12}", timestamp):
        raise Unauthorized(gettext_noop("%(header)s 应为 Unix 时间（秒）"), header=TIMESTAMP_HEADER)
    expected = signature(secret, timestamp, body).encode()
    # Header values may hold any byte; compare bytes so odd input is a mismatch, not a crash.
    if not hmac.compare_digest(expected, given.strip().lower().encode("utf-8", "replace")):
        raise Unauthorized(gettext_noop("签名无效"))
    if abs(now - int(timestamp)) > SIGNATURE_TOLERANCE_SECONDS:
        raise Unauthorized(
            gettext_noop("签名已过期：时间戳与服务器时间相差超过 %(n)s 秒"),
            n=SIGNATURE_TOLERANCE_SECONDS,
        )


# ---------------------------------------------------------------- incoming work orders

# The partner's own number for the order, by partner.
ID_FIELDS = {PARTNER_12345: "work_order_id", PARTNER_110: "transfer_id"}
CATEGORY_KINDS = ("matter", "component")
MAX_ID = 64
MAX_DESCRIPTION = 2000
MAX_ADDRESS = 200
MAX_NAME = 40
MAX_PHONE = 30
MAX_INCIDENT_TYPE = 40


@dataclass(frozen=True)
class OrderIn:
    """A 12345 work order or a 110 transfer, checked field by field."""

    external_id: str
    category_code: str
    category_kind: str
    description: str
    lon: float | None
    lat: float | None
    address: str
    caller_name: str
    caller_phone: str
    partner_time: datetime | None
    partner_deadline: datetime | None


def _text(data: dict, field: str, limit: int, *, required: bool = False) -> str:
    value = data.get(field)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise InvalidField(field, gettext_noop("缺少必填字段 %(field)s"))
        return ""
    if not isinstance(value, str):
        raise InvalidField(field, gettext_noop("字段 %(field)s 应为字符串"))
    value = value.strip()
    if len(value) > limit:
        raise InvalidField(field, gettext_noop("字段 %(field)s 不能超过 %(n)s 个字"), n=limit)
    return value


def _number(data: dict, field: str) -> float | None:
    value = data.get(field)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise InvalidField(field, gettext_noop("字段 %(field)s 应为数字（WGS84 经纬度）"))
    return float(value)


def _moment(data: dict, field: str) -> datetime | None:
    text = _text(data, field, 40)
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidField(
            field,
            gettext_noop("字段 %(field)s 应为 ISO 8601 时间（如 2026-11-27T09:30:00+08:00）"),
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=BEIJING)


def decode_body(body: bytes) -> dict:
    """The JSON object in a request body; MalformedBody (400) saying where it went wrong."""
    try:
        data = json.loads(body.decode("utf-8"))
    except UnicodeDecodeError:
        raise MalformedBody(gettext_noop("请求体应为 UTF-8 编码的 JSON")) from None
    except json.JSONDecodeError as error:
        raise MalformedBody(
            gettext_noop("请求体不是有效的 JSON：第 %(line)s 行第 %(column)s 列，%(problem)s"),
            line=error.lineno,
            column=error.colno,
            problem=error.msg,
        ) from None
    if not isinstance(data, dict):
        raise MalformedBody(gettext_noop("请求体应为 JSON 对象"))
    return data


def parse_order(partner: str, data: dict) -> OrderIn:
    """Check a decoded JSON body; raise InvalidField naming the first bad field.

    A place is a WGS84 point (`lon` and `lat`), or an `address` alone (the service then
    looks for the street it names). A 110 transfer's `incident_type` (the police's own heading) is put
    before its description, so whoever verifies the case reads what 110 called it.
    """
    id_field = ID_FIELDS[partner]
    external_id = _text(data, id_field, MAX_ID, required=True)
    if not re.fullmatch(r"[^\s\x00-\x1f\x7f]+", external_id):
        raise InvalidField(id_field, gettext_noop("字段 %(field)s 不能含空白或控制字符"))
    category_code = _text(data, "category_code", 5, required=True)
    if not re.fullmatch(r"[0-9]{5}", category_code):
        raise InvalidField("category_code", gettext_noop("字段 %(field)s 应为 5 位类别代码"))
    category_kind = _text(data, "category_kind", 10) or "matter"
    if category_kind not in CATEGORY_KINDS:
        raise InvalidField("category_kind", gettext_noop("字段 %(field)s 应为 matter 或 component"))
    description = _text(data, "description", MAX_DESCRIPTION, required=True)
    if partner == PARTNER_110:
        incident_type = _text(data, "incident_type", MAX_INCIDENT_TYPE)
        if incident_type:
            description = f"【{incident_type}】{description}"
    lon, lat = _number(data, "lon"), _number(data, "lat")
    if (lon is None) != (lat is None):
        missing = "lat" if lat is None else "lon"
        raise InvalidField(missing, gettext_noop("lon 与 lat 须同时提供，缺少 %(field)s"))
    address = _text(data, "address", MAX_ADDRESS)
    if lon is None and not address:
        raise InvalidField(
            "lon",
            gettext_noop("请提供位置：lon 和 lat（WGS84），或写明街道的 address"),
        )
    return OrderIn(
        external_id=external_id,
        category_code=category_code,
        category_kind=category_kind,
        description=description,
        lon=lon,
        lat=lat,
        address=address,
        caller_name=_text(data, "caller_name", MAX_NAME),
        caller_phone=_text(data, "caller_phone", MAX_PHONE),
        partner_time=_moment(data, "received_at"),
        partner_deadline=_moment(data, "deadline"),
    )


# ---------------------------------------------------------------- callbacks

RETRY_BASE_SECONDS = 30
RETRY_CAP_SECONDS = 3600
RETRY_JITTER = 0.1
# A callback this many attempts old shows as failing in the back office (it is still tried).
FAILING_AFTER_ATTEMPTS = 10


def retry_delay(failures: int, *, jitter: float) -> float:
    """Seconds to wait after the n-th failed attempt: 30 s, 1, 2, 4 … minutes, at most an
    hour. `jitter` in [0, 1) takes up to 10 % off, so the callbacks queued while a partner
    was down do not all come back in the same second."""
    base = min(RETRY_BASE_SECONDS * 2 ** min(max(failures - 1, 0), 16), RETRY_CAP_SECONDS)
    return base * (1 - RETRY_JITTER * jitter)


def is_acknowledgement(status: int, body: bytes) -> bool:
    """The partner took the callback: a 2xx answer whose JSON is an object with
    `"code": 0` (the integer). Anything else, a 200 with an error page included, is retried."""
    if not 200 <= status < 300:
        return False
    try:
        answer = json.loads(body)
    except ValueError:
        return False
    code = answer.get("code") if isinstance(answer, dict) else None
    return type(code) is int and code == 0


def body_bytes(body: dict) -> bytes:
    """The exact bytes we sign and send: compact UTF-8 JSON, keys in a stable order."""
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()
