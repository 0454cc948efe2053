"""Staffing compliance on a small, hand-counted register: the counts per unit, the page and
its Excel export, and who may see what."""

from datetime import date, timedelta
from io import BytesIO
from urllib.parse import quote

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from chengguan.org.models import Agency, Region
from chengguan.workforce.domain.id_number import check_character
from chengguan.workforce.domain.staffing import Level, Rule
from chengguan.workforce.models import Person, StaffingException
from chengguan.workforce.selectors import (
    expiring_certificates,
    failing_officers,
    staffing_by_unit,
)
from chengguan.workforce.services import assessment_add, certificate_add, person_create

A, B = "410106", "410108"  # 上街区, 惠济区
OFFICER, AUXILIARY = Person.Kind.OFFICER, Person.Kind.AUXILIARY


@pytest.fixture
def register(db):
    """上街区 (population set to 20,000): 5 active officers (4 on the front line) = 2.5 per
    10,000, 6 auxiliaries, plus one officer who has left. 惠济区 (10,000): 8 officers (6 on
    the front line) = 8.0 per 10,000 with a recorded reason, 2 auxiliaries. The 总队: 2
    officers, counted for the city only."""
    on = timezone.localdate()
    Region.objects.filter(code=A).update(population=20_000)
    Region.objects.filter(code=B).update(population=10_000)
    serial = iter(range(1, 1000))

    def person(kind, agency_code, *, front_line=True, name="测试"):
        born = date(1985, 1, 1) + timedelta(days=next(serial))
        first17 = f"410106{born:%Y%m%d}123"
        return person_create(
            kind=kind,
            name=name,
            id_number=first17 + check_character(first17),
            agency=Agency.objects.get(code=agency_code),
            front_line=front_line,
        )

    brigade_a = Agency.objects.filter(kind="brigade", region__unit_code=A).order_by("code")[0]
    brigade_b = Agency.objects.filter(kind="brigade", region__unit_code=B).order_by("code")[0]
    a_officers = [person(OFFICER, brigade_a.code, name=f"上街{i}") for i in range(4)]
    a_officers.append(person(OFFICER, f"{A}-CGJ", front_line=False, name="上街机关"))
    for _ in range(6):
        person(AUXILIARY, brigade_a.code)
    gone = person(OFFICER, brigade_a.code, name="已调离")
    Person.objects.filter(pk=gone.pk).update(active=False)
    b_officers = [person(OFFICER, brigade_b.code, name=f"惠济{i}") for i in range(6)]
    b_officers += [
        person(OFFICER, f"{B}-ZD", front_line=False, name=f"惠济机关{i}") for i in range(2)
    ]
    for _ in range(2):
        person(AUXILIARY, brigade_b.code)
    corps = [person(OFFICER, "4101-ZD", name=f"总队{i}") for i in range(2)]

    def certificate(who, number, expires_on):
        certificate_add(
            person=who,
            number=number,
            issued_on=expires_on - timedelta(days=1800),
            expires_on=expires_on,
        )

    certificate(a_officers[0], "A-EXPIRING", on + timedelta(days=90))  # counted: the last day
    certificate(a_officers[1], "A-LATER", on + timedelta(days=91))
    certificate(a_officers[2], "A-EXPIRED", on - timedelta(days=1))
    certificate(gone, "A-GONE", on + timedelta(days=10))  # has left: not counted
    certificate(b_officers[0], "B-EXPIRING", on)
    certificate(corps[0], "CITY-EXPIRING", on + timedelta(days=30))
    assessment_add(person=a_officers[3], year=on.year - 1, result="fail")  # counted
    assessment_add(person=a_officers[4], year=on.year - 2, result="fail")
    assessment_add(person=a_officers[4], year=on.year - 1, result="competent")  # passed since
    assessment_add(person=b_officers[1], year=on.year - 1, result="basic")
    StaffingException.objects.create(
        region=Region.objects.get(code=B), reason="景区游客多", valid_until=on + timedelta(days=1)
    )
    return {"on": on, "a_officers": a_officers, "b_officers": b_officers}


@pytest.fixture
def login(client):
    def sign_in(user):
        client.force_login(user)
        return client

    return sign_in


def by_code(report):
    return {c.counts.code: c for c in report.units}


def test_units_are_counted_by_the_county_level_unit_of_their_agency(register):
    units = by_code(staffing_by_unit(on=register["on"]))
    a, b = units[A], units[B]
    assert (a.counts.officers, a.counts.front_line, a.counts.auxiliaries) == (5, 4, 6)
    assert (a.counts.expiring_certificates, a.counts.failing_officers) == (1, 1)
    # Without a certificate valid today: one expired yesterday, two never had one.
    assert a.counts.uncertified_officers == 3
    assert a.per_10k == 2.5 and a.front_line_share == 0.8
    assert {f.rule for f in a.violations} == {Rule.FLOOR, Rule.AUXILIARIES}
    assert (b.counts.officers, b.counts.front_line, b.counts.auxiliaries) == (8, 6, 2)
    assert (b.counts.expiring_certificates, b.counts.failing_officers) == (1, 0)
    assert b.counts.uncertified_officers == 7  # the one expiring today is still valid today
    assert b.per_10k == 8.0 and b.counts.exception_reason == "景区游客多"
    levels = {f.rule: f.level for f in b.findings}
    assert levels[Rule.CEILING] is Level.NOTED and levels[Rule.FRONT_LINE] is Level.VIOLATION
    assert units["410105"].counts.officers == 0


def test_the_city_total_adds_the_city_level_corps(register):
    city = staffing_by_unit(on=register["on"]).city
    assert city.counts.code == "4101"
    assert (city.counts.officers, city.counts.auxiliaries) == (5 + 8 + 2, 6 + 2)
    assert city.counts.expiring_certificates == 3 and city.counts.failing_officers == 1
    assert city.counts.uncertified_officers == 3 + 7 + 1


def test_an_expired_staffing_exception_no_longer_excuses_the_ceiling(register):
    later = register["on"] + timedelta(days=2)
    b = by_code(staffing_by_unit(on=later))[B]
    assert Rule.CEILING in {f.rule for f in b.violations}


def test_counting_takes_a_fixed_number_of_queries(register, django_assert_max_num_queries):
    with django_assert_max_num_queries(7):
        staffing_by_unit(on=register["on"])


def test_lists_are_scoped_to_the_users_territory(register, user_factory):
    on = register["on"]
    city = user_factory("personnel", region="4101")
    district = user_factory("personnel", region=A, agency=Agency.objects.get(code=f"{A}-CGJ"))
    assert {c.number for c in expiring_certificates(user=city, on=on, days=90)} == {
        "A-EXPIRING",
        "B-EXPIRING",
        "CITY-EXPIRING",
    }
    assert [c.number for c in expiring_certificates(user=district, on=on, days=90)] == [
        "A-EXPIRING"
    ]
    assert [p.name for p in failing_officers(user=district, year=on.year)] == ["上街3"]
    assert [p.name for p in failing_officers(user=city, year=on.year - 2)] == ["上街机关"]


# ---------------------------------------------------------------- the page and the export


def test_dashboard_shows_every_unit_with_the_reasons_it_fails(register, user_factory, login):
    client = login(user_factory("personnel", region="4101"))
    response = client.get(reverse("workforce:compliance"))
    assert response.status_code == 200
    page = response.content.decode()
    for name in ("上街区", "惠济区", "金水区", "郑州市"):
        assert name in page
    assert "每万人执法人员 2.50 名，低于下限 3 名" in page
    assert "协管员 6 名，多于在编执法人员 5 名" in page
    assert "已登记理由：景区游客多" in page
    assert "一线执法人员占 75.0%，低于 80%" in page
    # Every unit and the city fail: the others are under the floor, 惠济区 on the front line.
    assert page.count("✗") == 17 and "✓" not in page
    assert 'id="staffing-chart"' in page and "vendor/echarts/echarts.min.js" in page
    person = register["a_officers"][0]
    assert reverse("workforce:person", args=[person.pk]) in page  # expiring certificate
    assert reverse("workforce:person", args=[register["a_officers"][3].pk]) in page  # failed


def test_a_leader_may_see_the_dashboard(register, user_factory, login):
    client = login(user_factory("leader", region="4101"))
    assert client.get(reverse("workforce:compliance")).status_code == 200


@pytest.mark.parametrize("name", ["workforce:compliance", "workforce:compliance_xlsx"])
def test_a_dispatcher_is_refused(register, user_factory, login, name):
    client = login(user_factory("dispatcher", region="4101"))
    response = client.get(reverse(name))
    assert response.status_code == 403
    assert "只有队伍管理员和领导" in response.content.decode()


def test_a_district_personnel_officer_sees_only_their_unit(register, user_factory, login):
    user = user_factory("personnel", region=B, agency=Agency.objects.get(code=f"{B}-CGJ"))
    page = login(user).get(reverse("workforce:compliance")).content.decode()
    assert "惠济区" in page and "已登记理由：景区游客多" in page
    assert "上街区" not in page and "郑州市" not in page
    assert "B-EXPIRING" in page and "A-EXPIRING" not in page
    book = load_workbook(BytesIO(login(user).get(reverse("workforce:compliance_xlsx")).content))
    codes = [row[0] for row in book.active.iter_rows(min_row=4, values_only=True)]
    assert codes == [B]


def test_the_excel_export_has_the_date_the_thresholds_a_header_and_every_unit(
    register, user_factory, login
):
    client = login(user_factory("personnel", region="4101"))
    response = client.get(reverse("workforce:compliance_xlsx"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    on = register["on"].isoformat()
    disposition = response["Content-Disposition"]
    assert f'filename="staffing-compliance-{on}.xlsx"' in disposition
    assert f"filename*=UTF-8''{quote(f'执法队伍配备达标情况-{on}.xlsx')}" in disposition
    rows = list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0][:2] == ("执法队伍配备达标情况", on)
    assert "3–7" in rows[1][1] and "80%" in rows[1][2]
    assert rows[2][:5] == ("区划代码", "单位", "常住人口", "在编执法人员", "每万人执法人员")
    units = {row[0]: row for row in rows[3:]}
    assert len(units) == 17  # 16 county-level units and the city
    assert units[A][1:12] == ("上街区", 20_000, 5, 2.5, 4, 0.8, 6, 1, 3, 1, "不达标")
    assert "低于下限" in units[A][12] and "协管员 6 名" in units[A][12]
    assert units["4101"][3] == 15


def test_a_personnel_officer_records_why_a_unit_may_exceed_the_ceiling(
    register, user_factory, login
):
    from chengguan.core.models import LedgerEntry

    on = register["on"]
    StaffingException.objects.update(valid_until=on - timedelta(days=1))  # expired
    assert Rule.CEILING in {f.rule for f in by_code(staffing_by_unit(on=on))[B].violations}
    client = login(user_factory("personnel", region="4101"))
    url = reverse("workforce:staffing_exception")
    short = client.post(url, {"region": B, "reason": "人多"})
    assert short.status_code == 302 and not StaffingException.objects.filter(reason="人多")
    client.post(url, {"region": B, "reason": "黄河景区与郑州北站客流大，执法任务重"})
    recorded = StaffingException.objects.get(reason__startswith="黄河景区")
    assert recorded.recorded_by is not None
    assert LedgerEntry.objects.filter(kind="workforce.staffing_exception").exists()
    levels = {f.rule: f.level for f in by_code(staffing_by_unit(on=on))[B].findings}
    assert levels[Rule.CEILING] is Level.NOTED
    leader = login(user_factory("leader", region="4101"))
    assert leader.post(url, {"region": B, "reason": "领导不能登记这个理由的"}).status_code == 403
