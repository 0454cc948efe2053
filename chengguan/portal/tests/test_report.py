"""A citizen reports a problem on /public/report/: checked input, photos kept twice, one case
per form however often it is sent, and limits per address and per phone."""

import hashlib
import io

import pytest
from django.core.files.storage import default_storage
from PIL import Image

from chengguan.cases.models import Case, CasePhoto, Reporter
from chengguan.core.models import IdempotencyKey, LedgerEntry
from chengguan.core.personal import phone_decrypt
from chengguan.portal.services import PORTAL_USERNAME, portal_account
from chengguan.portal.tests.conftest import GPS_IFD, NAME, PHONE, jpeg, upload

pytestmark = pytest.mark.django_db
URL = "/public/report/"


def counts():
    return (Case.objects.count(), Reporter.objects.count(), CasePhoto.objects.count())


def text(response) -> str:
    return response.content.decode()


def test_the_form_offers_common_categories_first_and_a_fresh_key_each_time(client):
    first, second = client.get(URL), client.get(URL)
    assert first.status_code == 200
    page = text(first)
    assert page.index("常见问题") < page.index("暴露垃圾") < page.index("市政公用设施类")
    assert "使用当前位置" in page and 'accept="image/*"' in page and "multiple" in page
    assert first.context["key"] != second.context["key"]
    assert 'href="/cases/' not in page  # no staff navigation on public pages


def test_a_report_with_two_photos_gives_a_tracking_code(client, report_data):
    with_gps, plain = jpeg(gps=True), jpeg((10, 120, 10))
    assert GPS_IFD in Image.open(io.BytesIO(with_gps)).getexif()
    response = client.post(
        URL,
        report_data(name=NAME, phone="138-1234-5678")
        | {"photos": [upload(with_gps, "a.jpg"), upload(plain, "b.jpg")]},
    )
    assert response.status_code == 201
    code = response.context["code"]
    assert code in text(response) and "请妥善保存跟踪码" in text(response)
    reporter = Reporter.objects.select_related("case").get(tracking_code=code)
    case = reporter.case
    assert response.context["number"] == case.number and case.number in text(response)
    assert f"/public/track/{code}/" in text(response)
    assert case.channel == "web" and case.status == "reported"
    assert case.reporter.username == PORTAL_USERNAME
    assert reporter.name == NAME and phone_decrypt(reporter.phone_cipher) == PHONE
    photos = list(case.photos.order_by("uploaded_at", "pk"))
    assert len(photos) == 2 and {p.kind for p in photos} == {"report"}
    by_hash = {p.sha256: p for p in photos}
    for data in (with_gps, plain):
        photo = by_hash[hashlib.sha256(data).hexdigest()]
        assert default_storage.open(photo.original).read() == data  # byte-exact original
        public = Image.open(default_storage.open(photo.public))
        assert len(public.getexif()) == 0  # no EXIF, so no GPS, on the public copy
    ledger = LedgerEntry.objects.get(kind="case.reported", subject_id=str(case.pk))
    assert ledger.actor_name == PORTAL_USERNAME


def test_the_portal_account_is_one_operator_that_cannot_sign_in():
    account = portal_account()
    assert portal_account().pk == account.pk
    assert not account.has_usable_password()
    assert account.region.code == "4101"
    assert set(account.groups.values_list("name", flat=True)) == {"operator"}


def test_a_forged_photo_is_refused_and_nothing_is_written(client, report_data):
    before = counts()
    keys = IdempotencyKey.objects.count()
    response = client.post(
        URL,
        report_data(description="路灯不亮")
        | {"photos": [upload(jpeg(), "ok.jpg"), upload(b"<?php echo 1; ?>", "evil.jpg")]},
    )
    assert response.status_code == 400
    assert "文件不是有效的照片" in text(response)
    assert "请重新选择照片" in text(response)  # photos are not kept: the page says so
    assert "路灯不亮" in text(response)  # what was typed is kept
    assert counts() == before and IdempotencyKey.objects.count() == keys


def test_six_photos_are_refused(client, report_data):
    before = counts()
    photos = [upload(jpeg((i * 40, 0, 0)), f"{i}.jpg") for i in range(6)]
    response = client.post(URL, report_data() | {"photos": photos})
    assert response.status_code == 400 and "最多上传 5 张照片" in text(response)
    assert counts() == before


def test_an_oversized_photo_is_refused(client, report_data, settings):
    settings.CHENGGUAN = {**settings.CHENGGUAN, "UPLOAD_MAX_BYTES": 500}
    before = counts()
    response = client.post(URL, report_data() | {"photos": [upload(jpeg() + b"\0" * 600)]})
    assert response.status_code == 400 and "第 1 张照片超过" in text(response)
    assert counts() == before


def test_a_place_outside_the_city_is_refused_in_chinese(client, report_data):
    before = counts()
    response = client.post(URL, report_data(lon="116.400000", lat="39.900000"))
    assert response.status_code == 400 and "不在本市网格范围内" in text(response)
    assert counts() == before


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"description": "   "}, "请填写问题描述"),
        ({"category": ""}, "请选择问题类别"),
        ({"category": "not-a-category"}, "请选择问题类别"),
        ({"lon": "", "lat": ""}, "请在地图上点选问题位置"),
        ({"lon": "nan"}, "位置坐标有误"),
        ({"phone": "12345678"}, "电话号码格式不正确"),
        ({"key": ""}, "页面已过期"),
        ({"website": "http://spam.example"}, "页面已过期"),
    ],
)
def test_bad_input_is_refused_with_a_message(client, report_data, change, message):
    before = counts()
    response = client.post(URL, report_data(**change))
    assert response.status_code == 400 and message in text(response)
    assert counts() == before


def test_a_double_submit_makes_one_case_and_shows_the_same_code(client, report_data):
    data = report_data(phone=PHONE)
    photo = jpeg()
    first = client.post(URL, data | {"photos": [upload(photo)]})
    again = client.post(URL, data | {"photos": [upload(photo)]})
    assert first.status_code == again.status_code == 201
    assert first.context["code"] == again.context["code"]
    assert Case.objects.filter(number=first.context["number"]).count() == 1
    assert Reporter.objects.filter(tracking_code=first.context["code"]).count() == 1


def test_the_same_form_sent_with_other_content_is_not_a_second_case(client, report_data):
    data = report_data()
    assert client.post(URL, data).status_code == 201
    before = counts()
    response = client.post(URL, data | {"description": "另一个问题"})
    assert response.status_code == 422 and "该表单已提交过" in text(response)
    assert response.context["key"] != data["key"]  # a new form, ready to send
    assert counts() == before


def test_reports_are_limited_per_address(client, report_data, settings):
    settings.CHENGGUAN = {**settings.CHENGGUAN, "RATE_LIMIT_PER_IP": "2/3600"}
    assert client.post(URL, report_data()).status_code == 201
    assert client.post(URL, report_data()).status_code == 201
    before = counts()
    response = client.post(URL, report_data(description="第三个"))
    assert response.status_code == 429
    assert "提交过于频繁" in text(response) and int(response["Retry-After"]) > 0
    assert "第三个" in text(response)  # kept for later
    assert counts() == before
    other = client.post(URL, report_data(), REMOTE_ADDR="198.51.100.20")
    assert other.status_code == 201


def test_a_replay_is_answered_even_over_the_limit(client, report_data, settings):
    settings.CHENGGUAN = {**settings.CHENGGUAN, "RATE_LIMIT_PER_IP": "1/3600"}
    data = report_data()
    first = client.post(URL, data)
    assert client.post(URL, data).context["code"] == first.context["code"]
    assert client.post(URL, report_data()).status_code == 429


def test_reports_are_limited_per_phone(client, report_data, settings):
    settings.CHENGGUAN = {**settings.CHENGGUAN, "RATE_LIMIT_PER_PHONE": "1/3600"}
    assert client.post(URL, report_data(phone=PHONE)).status_code == 201
    # The same phone written differently, from another address: still the same phone.
    again = client.post(URL, report_data(phone="+86 138 1234 5678"), REMOTE_ADDR="198.51.100.9")
    assert again.status_code == 429 and "提交过于频繁" in text(again)
    assert client.post(URL, report_data(phone="13900001111")).status_code == 201


def test_the_pin_is_described_by_district_and_street(client, point):
    response = client.get("/public/locate/", {"lon": point[0], "lat": point[1]})
    assert response.status_code == 200 and response.json()["district"] == "上街区"
    assert response.json()["street"]
    outside = client.get("/public/locate/", {"lon": 116.4, "lat": 39.9})
    assert outside.status_code == 400 and "不在本市网格范围内" in outside.json()["detail"]
    assert client.get("/public/locate/", {"lon": "x"}).status_code == 400
