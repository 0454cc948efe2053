"""The personnel officer's pages: scope by territory, masked IDs, the forms, the violations
list and the import page."""

import hashlib
from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from chengguan.core.models import LedgerEntry
from chengguan.org.models import Agency
from chengguan.workforce.models import Person
from chengguan.workforce.services import certificate_add, person_create, posting_create
from chengguan.workforce.tests.test_id_number import valid_id

pytestmark = pytest.mark.django_db

SHANGJIE_ID = valid_id("41010619850315111")
ERQI_ID = valid_id("41010319850315222")


@pytest.fixture
def shangjie():
    person = person_create(
        kind="officer",
        name="上街队员",
        id_number=SHANGJIE_ID,
        agency=Agency.objects.get(code="410106-ZD"),
        household_street_code="410106002",
    )
    today = timezone.localdate()
    certificate_add(
        person=person,
        number="SJ-1",
        issued_on=today - timedelta(days=1000),
        expires_on=today + timedelta(days=30),
    )
    return person


@pytest.fixture
def erqi():
    return person_create(
        kind="officer",
        name="二七队员",
        id_number=ERQI_ID,
        agency=Agency.objects.get(code="410103-ZD"),
    )


@pytest.fixture
def officer_client(user_factory, client):
    client.force_login(user_factory("personnel", region="410106"))
    return client


def test_only_personnel_get_in(user_factory, client):
    client.force_login(user_factory("dispatcher", region="410106"))
    page = client.get(reverse("workforce:people"))
    assert reverse("workforce:people") not in client.get("/cases/").content.decode()
    assert page.status_code == 403


def test_a_district_officer_sees_only_their_units_people(officer_client, shangjie, erqi):
    page = officer_client.get(reverse("workforce:people")).content.decode()
    assert "上街队员" in page and "二七队员" not in page
    assert officer_client.get(reverse("workforce:person", args=[shangjie.pk])).status_code == 200
    assert officer_client.get(reverse("workforce:person", args=[erqi.pk])).status_code == 404
    add = reverse("workforce:assessment_add", args=[erqi.pk])
    assert officer_client.post(add, {"year": 2025, "result": "fail"}).status_code == 404
    assert not erqi.assessments.exists()


def test_pages_show_ids_masked_only(officer_client, shangjie):
    for url in (reverse("workforce:people"), reverse("workforce:person", args=[shangjie.pk])):
        page = officer_client.get(url).content.decode()
        assert SHANGJIE_ID not in page and shangjie.id_masked in page


def test_a_certificate_expiring_within_the_warning_days_is_highlighted(
    officer_client, shangjie, settings
):
    page = officer_client.get(reverse("workforce:people")).content.decode()
    assert 'class="expiring"' in page
    settings.CHENGGUAN = {**settings.CHENGGUAN, "CERTIFICATE_WARNING_DAYS": 10}
    assert (
        'class="expiring"' not in officer_client.get(reverse("workforce:people")).content.decode()
    )


def test_certificate_and_assessment_forms(officer_client, shangjie):
    url = reverse("workforce:certificate_add", args=[shangjie.pk])
    bad = officer_client.post(
        url, {"number": "SJ-2", "issued_on": "2026-01-01", "expires_on": "2025-01-01"}
    )
    assert bad.status_code == 400 and "有效期至应晚于发证日期" in bad.content.decode()
    dup = officer_client.post(
        url, {"number": "SJ-1", "issued_on": "2024-01-01", "expires_on": "2030-01-01"}
    )
    assert dup.status_code == 400 and "已登记" in dup.content.decode()
    ok = officer_client.post(
        url, {"number": "SJ-2", "issued_on": "2024-01-01", "expires_on": "2030-01-01"}
    )
    assert ok.status_code == 302 and shangjie.certificates.count() == 2
    url = reverse("workforce:assessment_add", args=[shangjie.pk])
    assert officer_client.post(url, {"year": 2025, "result": "competent"}).status_code == 302
    again = officer_client.post(url, {"year": 2025, "result": "fail"})
    assert again.status_code == 400 and "2025 年度的评议考核已登记" in again.content.decode()


def test_training_and_exam_forms(officer_client, shangjie):
    url = reverse("workforce:training_add", args=[shangjie.pk])
    blank = officer_client.post(url, {"title": " ", "hours": "8", "finished_on": "2026-03-01"})
    assert blank.status_code == 400 and shangjie.trainings.count() == 0
    done = officer_client.post(
        url, {"title": "行政处罚法专题培训", "hours": "16", "finished_on": "2026-03-01"}
    )
    assert done.status_code == 302 and shangjie.trainings.get().hours == 16
    url = reverse("workforce:exam_add", args=[shangjie.pk])
    bad = officer_client.post(url, {"subject": "执法资格考试", "taken_on": "x", "score": "90"})
    assert bad.status_code == 400 and shangjie.exams.count() == 0
    passed = officer_client.post(
        url, {"subject": "执法资格考试", "taken_on": "2026-04-01", "score": "86", "passed": "on"}
    )
    assert passed.status_code == 302 and shangjie.exams.get().passed
    page = officer_client.get(reverse("workforce:person", args=[shangjie.pk])).content.decode()
    assert "行政处罚法专题培训" in page and "执法资格考试" in page


def test_a_recusal_posting_asks_for_a_reason_and_saves_it_as_an_approved_exception(
    officer_client, shangjie
):
    url = reverse("workforce:posting_add", args=[shangjie.pk])
    form = {"agency": "410106002-DD", "street_code": "410106002", "start_on": "2026-02-02"}
    refused = officer_client.post(url, form)
    page = refused.content.decode()
    assert refused.status_code == 400 and "应回避" in page and 'name="exception_reason"' in page
    assert not shangjie.postings.exists()
    saved = officer_client.post(url, {**form, "exception_reason": "经局党组研究同意"})
    assert saved.status_code == 302
    assert shangjie.postings.get().exception_reason == "经局党组研究同意"
    assert LedgerEntry.objects.filter(kind="workforce.posted", subject_id=str(shangjie.pk)).exists()


def test_posting_outside_the_officers_territory_is_refused(officer_client, shangjie):
    url = reverse("workforce:posting_add", args=[shangjie.pk])
    answer = officer_client.post(
        url, {"agency": "410103-ZD", "street_code": "", "start_on": "2026-02-02"}
    )
    assert answer.status_code == 400 and not shangjie.postings.exists()


def test_violations_list_rotation_and_unapproved_recusal(officer_client, shangjie, settings):
    posting_create(
        person=shangjie,
        agency=Agency.objects.get(code="410106001-DD"),
        street_code="410106001",
        start_on=timezone.localdate() - timedelta(days=3 * 366),
    )
    home = person_create(
        kind="officer",
        name="本地队员",
        id_number=valid_id("41010619860101333"),
        agency=Agency.objects.get(code="410106-ZD"),
        household_street_code="410106003",
    )
    # posted in the household street before the rule existed
    home.postings.create(agency=home.agency, street_code="410106003", start_on=date(2025, 1, 1))
    url = reverse("workforce:violations")
    page = officer_client.get(url).content.decode()
    assert "本地队员" in page and "上街队员" not in page  # 3 years < 5
    assert reverse("workforce:person", args=[home.pk]) in page
    settings.CHENGGUAN = {**settings.CHENGGUAN, "ROTATION_YEARS": 2}
    assert "上街队员" in officer_client.get(url).content.decode()
    home.postings.update(exception_reason="经批准")
    assert "本地队员" not in officer_client.get(url).content.decode()


def test_import_page_reports_rejected_rows_then_imports_the_good_rows_of_the_same_file(
    officer_client,
):
    header = "姓名,身份证号码,类别,单位代码\n"
    good = f"甲,{valid_id('41010619900101401')},执法人员,410106-ZD\n"
    bad = "乙,123,协管员,410106-ZD\n"
    content = (header + good + bad).encode()
    url = reverse("workforce:import")
    first = officer_client.post(url, {"file": SimpleUploadedFile("名册.csv", content)})
    page = first.content.decode()
    assert first.status_code == 400 and "18 位" in page and 'id="import-good"' in page
    assert not Person.objects.filter(name="甲").exists()
    other = officer_client.post(
        url,
        {
            "file": SimpleUploadedFile("名册.csv", content + b"\n"),
            "import_good_rows": "on",
            "sha256": hashlib.sha256(content).hexdigest() + "x",
        },
    )
    assert other.status_code == 400 and not Person.objects.filter(name="甲").exists()
    done = officer_client.post(
        url,
        {
            "file": SimpleUploadedFile("名册.csv", content),
            "import_good_rows": "on",
            "sha256": hashlib.sha256(content).hexdigest(),
        },
    )
    assert done.status_code == 302 and Person.objects.filter(name="甲").exists()


def test_import_page_refuses_an_unreadable_file(officer_client):
    answer = officer_client.post(
        reverse("workforce:import"), {"file": SimpleUploadedFile("x.pdf", b"%PDF")}
    )
    assert answer.status_code == 400 and ".xlsx" in answer.content.decode()
    broken = officer_client.post(
        reverse("workforce:import"), {"file": SimpleUploadedFile("x.xlsx", b"nope")}
    )
    assert broken.status_code == 400


def test_nav_shows_the_workforce_link_to_personnel(officer_client):
    assert f'href="{reverse("workforce:people")}"' in officer_client.get("/cases/").content.decode()


def test_someone_who_leaves_stops_counting_and_can_no_longer_enforce(officer_client, shangjie):
    from chengguan.workforce.models import Person

    url = reverse("workforce:leave", args=[shangjie.pk])
    missing = officer_client.post(url, {"on": "2026-12-01", "reason": ""})
    assert missing.status_code == 400
    left = officer_client.post(url, {"on": "2026-12-01", "reason": "调出至市局机关"})
    assert left.status_code == 302
    shangjie.refresh_from_db()
    assert not shangjie.active and not Person.objects.filter(pk=shangjie.pk, active=True).exists()
    assert not shangjie.postings.filter(end_on__isnull=True).exists()
    again = officer_client.post(url, {"on": "2026-12-02", "reason": "重复"})
    assert again.status_code == 400 and "已离岗" in again.content.decode()


def test_a_city_officer_filters_violations_by_district(user_factory, client, shangjie):
    posting_create(
        person=shangjie,
        agency=Agency.objects.get(code="410106001-DD"),
        street_code="410106001",
        start_on=timezone.localdate() - timedelta(days=6 * 366),
    )
    client.force_login(user_factory("personnel", region="4101"))
    url = reverse("workforce:violations")
    everywhere = client.get(url).content.decode()
    assert "上街队员" in everywhere and 'name="unit"' in everywhere
    assert "上街队员" in client.get(url, {"unit": "410106"}).content.decode()
    assert "上街队员" not in client.get(url, {"unit": "410105"}).content.decode()
