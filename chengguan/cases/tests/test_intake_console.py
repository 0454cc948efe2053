"""The hotline operator's console: caller details, finding a place from the caller's words,
duplicates offered before and after a report, masked phones and the ledgered reveal."""

import pytest

from chengguan.cases.domain.workflow import Status
from chengguan.cases.models import Case, Reporter
from chengguan.cases.services import Contact, case_report
from chengguan.cases.tests.conftest import UNIT
from chengguan.core.models import LedgerEntry
from chengguan.org.models import Grid, Region

PHONE = "13812341234"


def page(response) -> str:
    return response.content.decode()


@pytest.fixture
def grid():
    return Grid.objects.filter(region_code=UNIT).order_by("code").first()


def inside(grid):
    p = grid.geometry.representative_point()
    return p.x, p.y


def form(category, grid, **overrides):
    lon, lat = inside(grid)
    return {
        "category": category.pk,
        "lon": f"{lon:.6f}",
        "lat": f"{lat:.6f}",
        "description": "路边垃圾堆放",
        "channel": "hotline",
        "caller_phone": PHONE,
        "caller_name": "张三",
        **overrides,
    }


def test_a_hotline_call_is_taken_with_the_callers_number_masked_on_the_case(
    client, people, garbage, grid
):
    client.force_login(people.operator)
    response = client.post("/cases/report/", form(garbage, grid))
    assert response.status_code == 302
    case = Case.objects.latest("reported_at")
    assert case.channel == "hotline" and case.reporters.get().name == "张三"
    shown = page(client.get(f"/cases/{case.number}/"))
    assert "138****1234" in shown and PHONE not in shown and "张*" in shown
    assert "显示完整号码" in shown  # the operator may call back


def test_staff_who_need_not_call_back_see_no_reveal_button_and_are_refused(
    client, people, garbage, grid
):
    case = case_report(
        actor=people.operator,
        category=garbage,
        lon=inside(grid)[0],
        lat=inside(grid)[1],
        description="垃圾",
        channel="hotline",
        contact=Contact("张三", PHONE),
    )
    reporter = case.reporters.get()
    client.force_login(people.dispatcher)
    shown = page(client.get(f"/cases/{case.number}/"))
    assert "138****1234" in shown and "显示完整号码" not in shown and PHONE not in shown
    refused = client.post(f"/cases/{case.number}/reporters/{reporter.pk}/phone/")
    assert refused.status_code == 403 and PHONE not in page(refused)

    client.force_login(people.operator)
    before = LedgerEntry.objects.filter(kind="personal.phone_revealed").count()
    revealed = client.post(f"/cases/{case.number}/reporters/{reporter.pk}/phone/")
    assert revealed.status_code == 200 and PHONE in page(revealed)
    assert LedgerEntry.objects.filter(kind="personal.phone_revealed").count() == before + 1


def test_a_bad_caller_number_is_refused_and_nothing_is_saved(client, people, garbage, grid):
    client.force_login(people.operator)
    before = Case.objects.count()
    response = client.post("/cases/report/", form(garbage, grid, caller_phone="1234"))
    assert response.status_code == 400 and "电话号码格式不正确" in page(response)
    assert Case.objects.count() == before


def test_a_resubmitted_form_makes_one_case(client, people, garbage, grid):
    client.force_login(people.operator)
    data = form(garbage, grid, idempotency_key="form-1")
    first = client.post("/cases/report/", data)
    again = client.post("/cases/report/", data)
    assert first.status_code == again.status_code == 302
    assert first["Location"] == again["Location"]
    assert Reporter.objects.filter(name="张三").count() == 1


def test_duplicates_are_offered_and_a_caller_joins_the_earlier_case(client, people, garbage, grid):
    client.force_login(people.operator)
    client.post("/cases/report/", form(garbage, grid))
    earlier = Case.objects.latest("reported_at")
    lon, lat = inside(grid)
    offered = client.get("/cases/report/similar/", {"category": garbage.pk, "lon": lon, "lat": lat})
    assert earlier.number in page(offered) and "并入此案卷" in page(offered)

    count = Case.objects.count()
    joined = client.post(
        "/cases/report/", form(garbage, grid, caller_phone="13900001111", join=earlier.number)
    )
    assert joined.status_code == 302 and joined["Location"].endswith(f"/{earlier.number}/")
    assert Case.objects.count() == count and earlier.reporters.count() == 2


def test_the_case_page_offers_the_earlier_duplicate_and_merges_into_it(
    client, people, garbage, grid
):
    client.force_login(people.operator)
    client.post("/cases/report/", form(garbage, grid))
    earlier = Case.objects.latest("reported_at")
    client.post("/cases/report/", form(garbage, grid, caller_phone="13900001111"))
    later = Case.objects.latest("reported_at")
    shown = page(client.get(f"/cases/{later.number}/"))
    assert "合并为重复案卷" in shown and f'value="{earlier.number}"' in shown

    merged = client.post(
        f"/cases/{later.number}/act/merge/", {"version": later.version, "target": earlier.number}
    )
    assert merged.status_code in (200, 302)
    later.refresh_from_db()
    assert later.status == Status.MERGED and later.merged_into == earlier


def test_a_place_named_by_the_caller_is_found_with_a_point_in_its_grids(client, people):
    street = Region.objects.filter(kind="street", unit_code=UNIT).order_by("code").first()
    client.force_login(people.operator)
    found = client.get("/api/org/geocode", {"q": f"上街区{street.name}附近路口"}).json()
    assert found[0]["code"] == street.code and "上街区" in found[0]["label"]
    located = client.get("/api/org/locate", {"lon": found[0]["lon"], "lat": found[0]["lat"]}).json()
    assert located["street_code"] == street.code
    assert client.get("/api/org/geocode", {"q": "火星"}).json() == []
    assert client.get("/api/org/geocode", {"q": ""}).status_code == 422


def test_staff_see_the_reporters_rating_on_the_case_page(client, people, garbage, grid):
    from chengguan.cases.models import Rating
    from chengguan.cases.tests.test_intake_services import to_closed
    from chengguan.portal.services import rating_save

    lon, lat = inside(grid)
    case = case_report(
        actor=people.operator,
        category=garbage,
        lon=lon,
        lat=lat,
        description="垃圾",
        channel="hotline",
        contact=Contact("张三", PHONE),
    )
    to_closed(case, people)
    case.refresh_from_db()
    rating_save(reporter=case.reporters.get(), stars=4, comment="挺快的，有事打13900001111")
    assert Rating.objects.filter(case=case).count() == 1
    client.force_login(people.shift_leader)
    shown = page(client.get(f"/cases/{case.number}/"))
    assert 'data-stars="4"' in shown and "挺快的" in shown
    assert "13900001111" not in shown and "139****1111" in shown
