"""The workforce API: the enforcement gate for the signed-in user, and the register with
masked ID numbers, scoped by territory."""

import pytest

from chengguan.org.models import Agency
from chengguan.workforce.services import person_create
from chengguan.workforce.tests.test_gate import REFUSALS, enrolled
from chengguan.workforce.tests.test_id_number import valid_id

pytestmark = pytest.mark.django_db

ME = "/api/workforce/enforcers/me"


@pytest.fixture
def as_user(client, user_factory):
    def sign_in(*roles, region="410106"):
        user = user_factory(*roles, region=region)
        client.force_login(user)
        return user

    return sign_in


def test_a_fit_officer_may_enforce(client, as_user):
    person = enrolled(as_user("officer"))
    answer = client.get(ME, {"on": "2026-06-01"})
    assert answer.status_code == 200
    assert answer.json() == {
        "may_enforce": True,
        "certificate": person.certificates.get().number,
        "expires_on": "2028-12-31",
        "reason": None,
    }


@pytest.mark.parametrize("rule", REFUSALS)
def test_the_gate_refuses_through_the_api(client, as_user, rule):
    _changes, setup, fragment = REFUSALS[rule]
    enrolled(as_user("officer"), **setup)
    body = client.get(ME, {"on": "2026-06-01"}).json()
    assert body["may_enforce"] is False and fragment in body["reason"]


def test_a_user_outside_the_register_may_not_enforce(client, as_user):
    as_user("officer")
    body = client.get(ME).json()
    assert body == {
        "may_enforce": False,
        "certificate": None,
        "expires_on": None,
        "reason": "您不在执法队伍登记中，不能执法",
    }


def test_bad_input_and_no_sign_in_are_4xx(client, as_user):
    assert client.get(ME).status_code == 401
    as_user("officer")
    assert client.get(ME, {"on": "2026-02-30"}).status_code == 422


@pytest.fixture
def people():
    make = lambda name, code, agency: person_create(  # noqa: E731
        kind="officer", name=name, id_number=valid_id(code), agency=Agency.objects.get(code=agency)
    )
    return make("上街队员", "41010619850315111", "410106-ZD"), make(
        "二七队员", "41010319850315222", "410103-ZD"
    )


def test_people_are_listed_masked_within_the_officers_territory(client, as_user, people):
    shangjie, _erqi = people
    as_user("personnel")
    answer = client.get("/api/workforce/people")
    assert answer.status_code == 200
    names = {p["name"]: p for p in answer.json()["items"]}
    assert "上街队员" in names and "二七队员" not in names
    assert names["上街队员"]["id_masked"] == shangjie.id_masked
    text = answer.content.decode()
    assert valid_id("41010619850315111") not in text
    assert client.get("/api/workforce/people", {"agency": "410103-ZD"}).status_code == 404
    scoped = client.get("/api/workforce/people", {"agency": "410106-ZD"}).json()
    assert [p["name"] for p in scoped["items"]] == ["上街队员"]


def test_people_endpoint_is_for_personnel_only(client, as_user, people):
    as_user("dispatcher", region="4101")
    assert client.get("/api/workforce/people").status_code == 403
