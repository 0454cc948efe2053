"""Fixtures for the exchange: signed requests as a partner sends them, and the people and
places of the case tests (上街区, the unit with grids in the test database)."""

import json
import time

import pytest
from django.conf import settings

from chengguan.cases.tests.conftest import garbage, people, point  # noqa: F401  (fixtures)
from chengguan.intake.domain import signature

WORK_ORDERS = "/exchange/12345/work-orders"
TRANSFERS = "/exchange/110/transfers"


def secret(partner: str) -> str:
    return settings.CHENGGUAN["EXCHANGE"][partner]["secret"]


def signed(body: bytes, partner: str, *, at: float | None = None, key: str | None = None) -> dict:
    timestamp = str(int(time.time() if at is None else at))
    return {
        "X-Chengguan-Timestamp": timestamp,
        "X-Chengguan-Signature": signature(key or secret(partner), timestamp, body),
    }


@pytest.fixture
def send(client):
    """POST a body (a dict, or raw bytes) as the partner would, signed unless told not to."""

    def post(path: str, body, *, partner: str = "12345", headers: dict | None = None):
        raw = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode()
        return client.post(
            path,
            raw,
            content_type="application/json",
            headers=signed(raw, partner) if headers is None else headers,
        )

    return post


@pytest.fixture
def order(point):  # noqa: F811  (the imported fixture)
    """A 12345 work order about rubbish at a point in 上街区; fields may be overridden."""

    def make(**fields) -> dict:
        body = {
            "work_order_id": "GD-20261127-0001",
            "category_code": "06010",
            "description": "市民来电：路口有成堆垃圾无人清运",
            "lon": point[0],
            "lat": point[1],
            "address": "上街区济源路与工业路交叉口",
            "caller_name": "张三",
            "caller_phone": "13812345678",
            "received_at": "2026-11-27T09:30:00+08:00",
            "deadline": "2026-11-30T18:00:00+08:00",
        } | fields
        return {k: v for k, v in body.items() if v is not None}

    return make
