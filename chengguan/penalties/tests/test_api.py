"""The read API of penalty cases: queues and the case file, with object permissions by
agency and territory and the party's personal data masked."""

import pytest

from chengguan.org.models import Agency
from chengguan.penalties.tests.test_services import _evidence, _person, _register


@pytest.fixture
def officer(user_factory):
    brigade = Agency.objects.get(code="410105-ZD")
    user = user_factory("officer", region="410105", agency=brigade)
    _person(brigade, user=user)
    user.partner = _person(brigade)
    return user


def test_the_officer_reads_the_queue_and_the_case_file(client, officer):
    case = _register(officer, officer.partner)
    _evidence(officer, case)
    client.force_login(officer)
    page = client.get("/api/penalties/?queue=open").json()
    assert [row["number"] for row in page["items"]] == [case.number]
    assert page["items"][0]["party_masked"] == "王**"
    detail = client.get(f"/api/penalties/{case.number}").json()
    assert detail["party_phone_masked"] == "138****5678"
    assert "13812345678" not in str(detail) and "王小明" not in detail["party_masked"]
    decision = next(limit for limit in detail["limits"] if limit["key"] == "decision")
    assert decision["counting"] == "natural" and decision["counting_label"] == "自然日"
    assert [d["title"] for d in detail["documents"]] == ["立案审批表"]
    assert len(detail["evidence"][0]["sha256"]) == 64


def test_other_districts_and_other_roles_see_nothing(client, officer, user_factory):
    case = _register(officer, officer.partner)
    outsider = user_factory("officer", region="410103", agency=Agency.objects.get(code="410103-ZD"))
    client.force_login(outsider)
    assert client.get("/api/penalties/?queue=open").json()["count"] == 0
    assert client.get(f"/api/penalties/{case.number}").status_code == 404
    reviewer = user_factory("legal_reviewer", region="410105")
    client.force_login(reviewer)
    assert client.get(f"/api/penalties/{case.number}").status_code == 200
    handler = user_factory("handler", region="410105")
    client.force_login(handler)
    assert client.get("/api/penalties/?queue=open").status_code == 403
    assert client.get("/api/penalties/?queue=nonsense").status_code in (403, 404)
    client.logout()
    assert client.get(f"/api/penalties/{case.number}").status_code in (401, 403)
