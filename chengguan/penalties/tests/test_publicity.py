"""The public publicity of penalty decisions (执法公示): /public/penalties/, no login.

Only the redacted public copy (`Publication.content`) may reach the public: never the
party's full name, ID number or phone, never a case field. Decisions come through the
services (see `test_bank._decided_case`).
"""

import csv
import io
import re
from datetime import date
from urllib.parse import quote

import pytest
from django.urls import reverse

from chengguan.penalties import services, steps
from chengguan.penalties.models import PenaltyCase, Publication
from chengguan.penalties.tests.test_bank import _at, _decided_case, _officer
from chengguan.workforce.tests.test_id_number import valid_id

LIST = "/public/penalties/"
JSON = "/public/penalties/data.json"
CSV = "/public/penalties/data.csv"

PERSON = "王小明"
PERSON_ID = valid_id("41010519900307123")
PERSON_PHONE = "13803711234"
MOBILE = re.compile(r"1[3-9]\d{9}")
ID_NUMBER = re.compile(r"\d{17}[\dXx]")
# Record ids in links are random hex whose digit runs can read as a phone number.
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.I)


@pytest.fixture
def officer(settings, tmp_path, user_factory):
    settings.MEDIA_ROOT = tmp_path
    return _officer(user_factory)


def _person_case(officer, **kwargs) -> PenaltyCase:
    """王小明's fruit stall, with his ID number, mobile and landline typed into the facts."""
    return _decided_case(
        officer,
        party=steps.Party(
            kind="person",
            name=PERSON,
            id_number=PERSON_ID,
            address="金水区经三路8号院3号楼",
            phone=PERSON_PHONE,
        ),
        facts=(
            f"{PERSON}（身份证号码 {PERSON_ID}，手机 {PERSON_PHONE}，住宅电话 0371-67881234）"
            "在金水路与经三路交叉口东南角占用城市道路摆摊设点经营水果，经劝阻拒不改正。"
        ),
        **kwargs,
    )


def _detail(publication: Publication) -> str:
    return reverse("penalty_publicity:detail", args=[publication.pk])


def _text(response) -> str:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return body.decode("utf-8-sig")


def _csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(_text(response))))


@pytest.mark.django_db
def test_no_personal_data_reaches_any_public_response(client, officer):
    case = _person_case(officer)
    publication = Publication.objects.get(case=case)
    assert publication.published_at is not None
    number = publication.decision_number

    responses = {
        "list": client.get(LIST),
        "search": client.get(LIST, {"q": "水果"}),
        "district": client.get(LIST, {"region": "410105"}),
        "detail": client.get(_detail(publication)),
        "detail by number": client.get(f"{LIST}{quote(number)}/"),
        "json": client.get(JSON),
        "csv": client.get(CSV),
    }
    for name, response in responses.items():
        assert response.status_code == 200, name
        text = _text(response)
        assert "王**" in text, name
        assert number in text, name
        assert PERSON not in text, name
        assert "小明" not in text, name
        numbers = UUID.sub("-", text)
        assert not MOBILE.search(numbers), (name, MOBILE.search(numbers))
        assert not ID_NUMBER.search(numbers), (name, ID_NUMBER.search(numbers))
        assert "67881234" not in text, name
        # Nothing of the case file: its number, the party's address, the bank reference.
        assert case.number not in text, name
        assert "经三路8号院" not in text, name
        assert case.payment_reference not in text, name
        assert case.party_id_masked not in text, name


@pytest.mark.django_db
def test_detail_shows_every_content_field(client, officer):
    case = _person_case(officer)
    publication = Publication.objects.get(case=case)

    for url in (_detail(publication), f"{LIST}{quote(publication.decision_number)}/"):
        text = _text(client.get(url))
        for key, value in publication.content.items():
            assert str(value) in text, key
        for label in ("决定书文号", "当事人", "违法事实", "处罚依据", "处罚内容", "处罚机关"):
            assert label in text
        assert "罚款人民币伍佰元整" in text


@pytest.mark.django_db
def test_only_published_decisions_that_stand_are_listed(client, officer):
    live = _person_case(officer)
    unserved = _decided_case(officer, served_on=None)
    revoked = _decided_case(officer, decided_on=date(2026, 10, 12), served_on=date(2026, 10, 12))
    services.penalty_revoke(
        actor=officer,
        case_id=revoked.pk,
        reason=f"当事人李四（电话 {PERSON_PHONE}）申请行政复议，复议机关撤销原决定",
        at=_at(date(2026, 11, 2)),
    )
    live_pub, unserved_pub, revoked_pub = (
        Publication.objects.get(case=c) for c in (live, unserved, revoked)
    )
    assert unserved_pub.published_at is None
    assert revoked_pub.withdrawn_at is not None

    page = client.get(LIST)
    assert page.status_code == 200
    assert list(page.context["page"].object_list) == [live_pub]
    text = _text(page)
    assert unserved_pub.decision_number not in text
    assert revoked_pub.decision_number not in text

    assert client.get(_detail(unserved_pub)).status_code == 404

    gone = client.get(_detail(revoked_pub))
    assert gone.status_code == 410
    text = _text(gone)
    assert "该处罚决定已撤回" in text
    assert "2026-11-02" in text
    assert "复议机关撤销原决定" in text
    assert "李*（" in text and "李四" not in text  # the name in the reason is masked too
    assert not MOBILE.search(UUID.sub("-", text))
    assert revoked_pub.content["facts"] not in text
    assert revoked_pub.content["penalty"] not in text
    by_number = client.get(f"{LIST}{quote(revoked_pub.decision_number)}/")
    assert by_number.status_code == 410

    document = client.get(JSON).json()
    assert [d["id"] for d in document["decisions"]] == [str(live_pub.pk)]
    assert document["total"] == 1
    assert document["withdrawn"] == [
        {
            "id": str(revoked_pub.pk),
            "decision_number": revoked_pub.decision_number,
            "withdrawn_at": "2026-11-02T10:00:00+08:00",
        }
    ]
    rows = _csv_rows(client.get(CSV))
    assert len(rows) == 2
    assert rows[1][0] == live_pub.decision_number


@pytest.mark.django_db
def test_filters_by_district_power_and_text(client, officer):
    publication = Publication.objects.get(case=_person_case(officer))
    shown = {
        "region": "410105",
        "power": "ZF-GS-001",
        "q": "水果",
    }
    hidden = {
        "region": "410106",
        "power": "ZF-XX-999",
        "q": "油烟",
    }
    for key, value in shown.items():
        assert list(client.get(LIST, {key: value}).context["page"].object_list) == [publication]
        assert client.get(JSON, {key: value}).json()["total"] == 1, key
        assert len(_csv_rows(client.get(CSV, {key: value}))) == 2, key
    for key, value in hidden.items():
        assert list(client.get(LIST, {key: value}).context["page"].object_list) == [], key
        assert client.get(JSON, {key: value}).json()["decisions"] == [], key
        assert len(_csv_rows(client.get(CSV, {key: value}))) == 1, key
    # The party's name is no way to find anyone: the public copy only holds 王**.
    assert client.get(LIST, {"q": PERSON}).context["page"].paginator.count == 0
    assert client.get(LIST, {"q": PERSON_PHONE}).context["page"].paginator.count == 0
    # The filter lists: districts by name, powers that have a decision.
    page = client.get(LIST)
    assert page.context["districts"]["410105"] == "金水区"
    assert "4101" not in page.context["districts"]
    assert [code for code, _name in page.context["powers"]] == ["ZF-GS-001"]


@pytest.mark.django_db
def test_open_data_is_cacheable_and_revalidates(client, officer):
    case = _person_case(officer)
    publication = Publication.objects.get(case=case)

    for url in (JSON, CSV):
        first = client.get(url)
        assert first.status_code == 200
        assert first["Cache-Control"] == "public, max-age=300"
        assert first["Access-Control-Allow-Origin"] == "*"
        assert first["ETag"]
        assert first["Last-Modified"]
        assert first["X-Total-Count"] == "1"
        assert client.get(url, headers={"If-None-Match": first["ETag"]}).status_code == 304
        assert (
            client.get(url, headers={"If-Modified-Since": first["Last-Modified"]}).status_code
            == 304
        )
        assert client.get(url, {"page": "2"}).status_code == 404
        assert client.get(url, {"page": "x"}).status_code == 404
        assert client.get(url, {"page": "1"}).status_code == 200

    csv_response = client.get(CSV)
    assert csv_response.content.startswith("\ufeff".encode())
    assert csv_response["Content-Type"] == "text/csv; charset=utf-8"
    header = _csv_rows(csv_response)[0]
    assert header[:3] == ["决定书文号", "当事人", "当事人类型"]
    assert "违法事实" in header and "处罚内容" in header

    document = client.get(JSON).json()
    assert set(document["decisions"][0]) == set(document["fields"])
    assert document["page"] == document["pages"] == 1
    assert document["next"] is None

    # A withdrawal changes the files: the old ETag no longer matches, Last-Modified moves.
    etag, modified = client.get(JSON)["ETag"], client.get(JSON)["Last-Modified"]
    services.penalty_revoke(
        actor=officer, case_id=case.pk, reason="决定有误，依法撤销", at=_at(date(2026, 11, 20))
    )
    changed = client.get(JSON, headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed["Last-Modified"] != modified
    assert changed.json()["withdrawn"][0]["decision_number"] == publication.decision_number
    assert changed.json()["decisions"] == []


@pytest.mark.django_db
def test_open_data_pages_at_5000(client, officer, monkeypatch):
    from chengguan.penalties import public_selectors

    monkeypatch.setattr(public_selectors, "OPEN_DATA_PAGE_SIZE", 1)
    first = _decided_case(officer, decided_on=date(2026, 10, 12), served_on=date(2026, 10, 12))
    second = _person_case(officer)
    assert public_selectors.OPEN_DATA_PAGE_SIZE == 1

    page_1 = client.get(JSON).json()
    assert page_1["pages"] == 2
    assert [d["id"] for d in page_1["decisions"]] == [str(second.publication.pk)]
    assert page_1["next"].endswith(f"{JSON}?page=2")
    page_2 = client.get(JSON, {"page": 2}).json()
    assert [d["id"] for d in page_2["decisions"]] == [str(first.publication.pk)]
    assert page_2["next"] is None
    assert 'rel="next"' in client.get(CSV)["Link"]


@pytest.mark.django_db
def test_unknown_decision_is_a_404_page(client):
    for key in ("郑金城综罚决字〔2026〕第999号", "1d7e2b9c-7c56-4b8e-9f4f-1b2c3d4e5f60", "x"):
        response = client.get(f"{LIST}{quote(key)}/")
        assert response.status_code == 404
        assert "没有找到该处罚决定" in _text(response)


@pytest.mark.django_db
def test_empty_publicity(client):
    page = client.get(LIST)
    assert page.status_code == 200
    assert "暂无公示的处罚决定" in _text(page)
    document = client.get(JSON).json()
    assert (document["decisions"], document["withdrawn"], document["total"]) == ([], [], 0)
    assert _csv_rows(client.get(CSV))[1:] == []


@pytest.mark.django_db
def test_portal_home_links_to_the_publicity(client):
    assert f'href="{LIST}"' in _text(client.get(reverse("portal:home")))
