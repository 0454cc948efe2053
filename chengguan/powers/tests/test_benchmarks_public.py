"""The public card and the open data show a power's benchmark tiers where a bureau published
them, and "裁量基准待发布" where none did."""

import csv
import io
import json

import pytest
from django.urls import reverse

from chengguan.powers.models import DiscretionBenchmark

pytestmark = pytest.mark.django_db


def test_a_covered_power_shows_its_tiers_with_range_and_source(client):
    page = client.get(reverse("powers:detail", args=["ZF-JS-008"])).content.decode()
    assert "裁量基准待发布" not in page
    for text in (
        "单体面积≤2㎡,或≤3处小型广告牌/挂浮物",
        "5000元以下",
        "5000–10000元",
        "10000–20000元",
        "严重",
        "责令限期改正",
        "DB1（郑州·登封市城管局裁量基准）",
        "法制审核",
    ):
        assert text in page, text


def test_an_uncovered_power_keeps_the_placeholder(client):
    page = client.get(reverse("powers:detail", args=["ZF-JS-009"])).content.decode()
    assert "裁量基准待发布" in page and "<table" not in page


def test_json_lists_the_tiers_and_documents_their_fields(client):
    document = json.loads(client.get(reverse("powers:json")).content)
    powers = {p["code"]: p for p in document["powers"]}
    litter = powers["ZF-JS-003"]["benchmarks"]
    assert [b["tier"] for b in litter] == ["minor", "ordinary"]
    assert litter[0] == {
        "tier": "minor",
        "tier_label": "轻微",
        "condition": "2处以下,逾期不改正",
        "quantities": [{"measure": "处数", "above": None, "up_to": "2"}],
        "fine_min": "20.00",
        "fine_max": "30.00",
        "fine_range": "20–30元",
        "other_sanction": "责令限期改正",
        "source": "DB2（郑州·巩义市城管局裁量基准）",
    }
    assert set(document["benchmark_fields"]) == set(litter[0])
    assert "benchmarks" in document["fields"]
    assert powers["ZF-HB-005"]["benchmarks"] == []
    assert powers["ZF-HB-005"]["penalty_standard"] == "裁量基准待发布"


def test_csv_summarises_the_tiers_in_penalty_standard(client):
    body = client.get(reverse("powers:csv")).content.decode("utf-8").lstrip("\ufeff")
    rows = {r["code"]: r for r in csv.DictReader(io.StringIO(body))}
    signs = rows["ZF-JS-008"]["penalty_standard"]
    assert signs.startswith("轻微：单体面积≤2㎡") and signs.count(" | ") == 2
    assert "一般：单体面积2-10㎡,或3-10处；5000–10000元；责令限期改正（DB1" in signs
    assert rows["ZF-JS-009"]["penalty_standard"] == "裁量基准待发布"
    assert "benchmarks" not in rows["ZF-JS-008"]


def test_a_benchmark_change_moves_the_open_data_etag(client):
    first = client.get(reverse("powers:json"))["ETag"]
    benchmark = DiscretionBenchmark.objects.get(power__code="ZF-JS-003", tier="minor")
    benchmark.other_sanction = "责令限期改正，逾期不改正的处以罚款"
    benchmark.save()
    again = client.get(reverse("powers:json"), HTTP_IF_NONE_MATCH=first)
    assert again.status_code == 200 and again["ETag"] != first


def test_the_benchmarks_are_read_only_in_the_back_office(admin_client):
    assert (
        admin_client.get(reverse("admin:powers_discretionbenchmark_changelist")).status_code == 200
    )
    assert admin_client.get(reverse("admin:powers_discretionbenchmark_add")).status_code == 403
