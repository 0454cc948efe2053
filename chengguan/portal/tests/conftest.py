"""Fixtures for the public portal: photos made with Pillow, staff who walk a case to its
close, an empty rate-limit cache and a scratch media folder for every test."""

import io
from uuid import uuid4

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from chengguan.cases.domain.workflow import Action
from chengguan.cases.services import case_act

# The staff and places of the case tests (上街区 has the test database's grids).
from chengguan.cases.tests.conftest import garbage, people, point  # noqa: F401

GPS_IFD = 0x8825
PHONE = "13812345678"
NAME = "王小明"


@pytest.fixture(autouse=True)
def _portal_test_state(settings, tmp_path):
    """Counters of one test must not limit the next; photos go to a throwaway folder."""
    settings.MEDIA_ROOT = tmp_path
    cache.clear()
    yield
    cache.clear()


def jpeg(colour=(200, 30, 30), *, gps: bool = False) -> bytes:
    image = Image.new("RGB", (64, 48), colour)
    exif = Image.Exif()
    if gps:
        exif[0x010F] = "PhoneMaker"
        exif[GPS_IFD] = {1: "N", 2: (34.0, 45.0, 12.0), 3: "E", 4: (113.0, 39.0, 56.0)}
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif)
    return buffer.getvalue()


def upload(data: bytes, name: str = "photo.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="image/jpeg")


@pytest.fixture
def report_data(garbage, point):  # noqa: F811
    """A valid report form, as a citizen would post it; each call of `fresh()` is a new form."""

    def fresh(**changes):
        data = {
            "key": str(uuid4()),
            "category": str(garbage.pk),
            "lon": f"{point[0]:.6f}",
            "lat": f"{point[1]:.6f}",
            "address": "工业路东侧",
            "description": "人行道上堆着几袋生活垃圾",
            "name": "",
            "phone": "",
        }
        data.update(changes)
        return data

    return fresh


def walk_to_closed(case, people):  # noqa: F811
    """The staff's part: verify, register, dispatch, handle, check, close."""
    steps = [
        (Action.VERIFY, people.inspector, {}),
        (Action.REGISTER, people.shift_leader, {}),
        (Action.DISPATCH, people.dispatcher, {"agency_id": people.sanitation.pk}),
        (Action.HANDLE, people.handler, {"feedback": "已清运，现场恢复整洁"}),
        (Action.CHECK_PASS, people.inspector, {}),
        (Action.CLOSE, people.shift_leader, {}),
    ]
    for action, who, extra in steps:
        case.refresh_from_db()
        case = case_act(
            case_id=case.pk, action=action, actor=who, expected_version=case.version, **extra
        )
    return case
