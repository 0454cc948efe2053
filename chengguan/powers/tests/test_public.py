"""The public power list, without login: pages, search, open data, caching, no personal data."""

import csv
import io
import json
import re

import pytest
from django.urls import reverse

from chengguan.demo.services import DEMO_USERS
from chengguan.powers.models import Power

pytestmark = pytest.mark.django_db

PHONE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
ID_NUMBER = re.compile(r"(?<!\d)\d{17}[\dXx](?!\d)")


def assert_no_personal_data(text: str) -> None:
    assert not PHONE.search(text) and not ID_NUMBER.search(text)
    for demo in DEMO_USERS:
        assert demo.full_name not in text and demo.username not in text


def test_the_list_shows_each_bureau_and_the_deferred_items(client):
    response = client.get(reverse("powers:list"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "中原区城市管理局" in page and "郑东新区城市管理局" in page
    assert "暂缓划转" in page and "待时机成熟后再集中行使" in page
    assert reverse("powers:detail", args=["ZF-JS-001"]) in page
    assert_no_personal_data(page)


def test_search_finds_a_power_by_a_word_of_its_legal_basis(client):
    response = client.get(reverse("powers:list"), {"q": "城镇排水与污水处理条例"})
    page = response.content.decode()
    assert "ZF-JS-013" in page and "ZF-JS-001" not in page
    assert "共 1 项事项" in page


def test_filters_by_domain_and_unit(client):
    page = client.get(reverse("powers:list"), {"domain": "水务", "unit": "410171"})
    text = page.content.decode()
    assert "经开区城市管理局" in text and "委托" in text
    assert "ZF-SW-001" in text and "ZF-JS-001" not in text and "中原区城市管理局" not in text


def test_the_card_shows_basis_range_process_supervision_and_holders(client):
    response = client.get(reverse("powers:detail", args=["ZF-HB-005"]))
    page = response.content.decode()
    assert response.status_code == 200
    power = Power.objects.get(code="ZF-HB-005")
    for text in (
        power.legal_basis_prohibition,
        power.legal_basis_penalty,
        "裁量基准待发布",
        "法制审核",
        "12319",
        "责任追究",
        "环境保护主管部门",
        "上街区城市管理局（自有",
    ):
        assert text in page, text
    assert_no_personal_data(page)


def test_an_unknown_code_is_a_404_that_says_so(client):
    response = client.get(reverse("powers:detail", args=["ZF-XX-999"]))
    assert response.status_code == 404 and "ZF-XX-999" in response.content.decode()


def test_json_open_data_has_every_power_with_holders_and_cache_headers(client):
    response = client.get(reverse("powers:json"))
    assert response.status_code == 200
    assert "max-age=3600" in response["Cache-Control"] and "public" in response["Cache-Control"]
    assert response["ETag"] and response["Last-Modified"]
    document = json.loads(response.content)
    assert {p["code"] for p in document["powers"]} == set(
        Power.objects.values_list("code", flat=True)
    )
    planning = next(p for p in document["powers"] if p["code"] == "ZF-JS-001")
    assert planning["status_label"] == "在用" and planning["process"][0].startswith("立案")
    assert {"410102", "410190", "4101"} <= {h["territory_code"] for h in planning["holders"]}
    assert set(document["fields"]) >= set(planning)
    assert_no_personal_data(response.content.decode())


def test_json_is_revalidated_with_its_etag(client):
    first = client.get(reverse("powers:json"))
    again = client.get(reverse("powers:json"), HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304


def test_csv_open_data_starts_with_a_bom_and_has_every_power(client):
    response = client.get(reverse("powers:csv"))
    assert response.status_code == 200 and "max-age=3600" in response["Cache-Control"]
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(body.lstrip("\ufeff"))))
    assert len(rows) == Power.objects.count()
    parking = next(r for r in rows if r["code"] == "ZF-JT-002")
    assert parking["status"] == "deferred" and parking["holders"] == ""
    planning = next(r for r in rows if r["code"] == "ZF-JS-001")
    assert "410102 中原区城市管理局（自有）" in planning["holders"]
    assert_no_personal_data(body)
