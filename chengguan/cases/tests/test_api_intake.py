"""The JSON API's view of intake: reporters masked, the ledgered phone reveal, duplicates
offered and merged."""

from django.test import Client

from chengguan.cases.models import Case
from chengguan.cases.services import Contact, case_report
from chengguan.core.models import LedgerEntry

PHONE = "13812341234"


def signed_in(user) -> Client:
    client = Client(enforce_csrf_checks=False)
    client.force_login(user)
    return client


def hotline_case(people, garbage, point, phone=PHONE) -> Case:
    return case_report(
        actor=people.operator,
        category=garbage,
        lon=point[0],
        lat=point[1],
        description="路边垃圾",
        channel="hotline",
        contact=Contact("张三", phone),
    )


def test_case_detail_shows_reporters_masked_to_everyone(people, garbage, point):
    case = hotline_case(people, garbage, point)
    for user in (people.operator, people.dispatcher):
        answer = signed_in(user).get(f"/api/cases/{case.number}")
        (reporter,) = answer.json()["reporters"]
        assert reporter["phone"] == "138****1234" and reporter["name"] == "张*"
        assert PHONE not in answer.content.decode()


def test_the_full_number_is_for_hotline_staff_only_and_every_look_is_ledgered(
    people, garbage, point
):
    case = hotline_case(people, garbage, point)
    reporter = case.reporters.get()
    url = f"/api/cases/{case.number}/reporters/{reporter.pk}/phone"
    refused = signed_in(people.dispatcher).post(url)
    assert refused.status_code == 403 and PHONE not in refused.content.decode()
    looks = LedgerEntry.objects.filter(kind="personal.phone_revealed").count()
    shown = signed_in(people.operator).post(url)
    assert shown.status_code == 200 and shown.json() == {"phone": PHONE}
    assert LedgerEntry.objects.filter(kind="personal.phone_revealed").count() == looks + 1
    other = hotline_case(people, garbage, point, phone="13900001111")
    mismatched = f"/api/cases/{other.number}/reporters/{reporter.pk}/phone"
    assert signed_in(people.operator).post(mismatched).status_code == 404


def test_duplicates_are_listed_and_merged_through_the_api(people, garbage, point):
    first = hotline_case(people, garbage, point)
    second = hotline_case(people, garbage, point, phone="13900001111")
    operator = signed_in(people.operator)
    found = operator.get(f"/api/cases/{second.number}/duplicates").json()
    assert [d["number"] for d in found] == [first.number] and found[0]["distance_m"] == 0
    assert operator.get(f"/api/cases/{first.number}/duplicates").json() == []  # only earlier
    merged = operator.post(
        f"/api/cases/{second.number}/actions/merge",
        {"version": 1, "target_number": first.number},
        content_type="application/json",
    )
    assert merged.status_code == 200, merged.content
    assert merged.json()["status"] == "merged" and merged.json()["merged_into"] == first.number
    missing = operator.post(
        f"/api/cases/{first.number}/actions/merge", {"version": 1}, content_type="application/json"
    )
    assert missing.status_code == 400 and "合并到的案卷" in missing.json()["detail"]
