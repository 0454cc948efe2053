"""Bearer tokens for native apps: issue, use, expiry, revoke, lock-out, and CSRF only where
a browser sends the credential by itself (the session cookie)."""

import hashlib
import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from chengguan.accounts.models import ApiToken
from chengguan.cases.models import Case
from chengguan.core.models import LedgerEntry
from chengguan.org.models import Grid

pytestmark = pytest.mark.django_db

UNIT = "410106"  # 上街区, the only county with grids in the test database
TOKEN_URL = "/api/auth/token"


@pytest.fixture
def inspector(user_factory):
    return user_factory("inspector", region=UNIT)


def issue(client, user, password, device="张监督的手机"):
    return client.post(
        TOKEN_URL,
        {"username": user.username, "password": password, "device": device},
        content_type="application/json",
    )


@pytest.fixture
def token(inspector, password) -> str:
    response = issue(Client(), inspector, password)
    assert response.status_code == 201, response.content
    return response.json()["token"]


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def report_body(description="路边成堆垃圾") -> dict:
    point = Grid.objects.filter(region_code=UNIT).order_by("code").first()
    inside = point.geometry.representative_point()
    return {
        "category_code": "06010",
        "lon": inside.x,
        "lat": inside.y,
        "description": description,
    }


# ---------------------------------------------------------------- issue


def test_a_token_is_answered_once_and_only_its_hash_is_kept(inspector, password):
    response = issue(Client(enforce_csrf_checks=True), inspector, password)  # no CSRF needed

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["token"].startswith("cg_") and body["token_type"] == "Bearer"
    assert body["device"] == "张监督的手机"
    assert body["expires_at"].endswith("+08:00")
    row = ApiToken.objects.get(user=inspector)
    assert row.key_hash == hashlib.sha256(body["token"].encode()).hexdigest()
    assert row.expires_at - row.created_at == timedelta(days=30)
    assert row.revoked_at is None and row.last_used_at is None
    entry = LedgerEntry.objects.get(kind="api_token.issued", subject_id=str(row.pk))
    assert entry.actor_name == inspector.username
    assert body["token"] not in entry.payload
    assert json.loads(entry.payload)["data"]["name"] == "张监督的手机"


def test_a_wrong_password_gets_no_token(inspector):
    response = issue(Client(), inspector, "wrong-Password-1")

    assert response.status_code == 401
    assert response.json() == {"detail": "用户名或密码不正确"}
    assert not ApiToken.objects.exists()


def test_an_inactive_user_gets_no_token(inspector, password):
    inspector.is_active = False
    inspector.save(update_fields=["is_active"])

    assert issue(Client(), inspector, password).status_code == 401


def test_repeated_failures_lock_the_account_for_tokens_too(inspector, password):
    client = Client()
    for _ in range(5):
        issue(client, inspector, "wrong-Password-1")

    response = issue(client, inspector, password)

    assert response.status_code == 429
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert "账号已被临时锁定" in response.json()["detail"]
    assert "30 分钟" in response.json()["detail"]
    assert not ApiToken.objects.exists()
    # The same lock as on the login page: the account, whatever the door.
    page = Client().post("/accounts/login/", {"username": inspector.username, "password": password})
    assert page.status_code == 429


def test_a_token_sign_in_forgets_earlier_failures(inspector, password):
    client = Client()
    for _ in range(4):
        issue(client, inspector, "wrong-Password-1")
    assert issue(client, inspector, password).status_code == 201
    for _ in range(4):
        issue(client, inspector, "wrong-Password-1")

    assert issue(client, inspector, password).status_code == 201


def test_a_blank_device_name_is_refused(inspector, password):
    assert issue(Client(), inspector, password, device="   ").status_code == 422


# ---------------------------------------------------------------- use


def test_a_token_signs_requests_in_and_needs_no_csrf(token, inspector):
    client = Client(enforce_csrf_checks=True)

    response = client.post(
        "/api/cases/", report_body(), content_type="application/json", headers=bearer(token)
    )

    assert response.status_code == 201, response.content
    case = Case.objects.get(number=response.json()["number"])
    assert case.reporter == inspector and case.channel == "inspector"
    assert ApiToken.objects.get().last_used_at is not None


def test_a_session_still_needs_the_csrf_token(inspector):
    client = Client(enforce_csrf_checks=True)
    client.get("/accounts/login/")  # sets the CSRF cookie, as any page does
    client.force_login(inspector)

    refused = client.post("/api/cases/", report_body(), content_type="application/json")

    assert refused.status_code == 403 and refused.json()["code"] == "csrf_failed"
    assert "CSRF" in refused.json()["detail"] and "刷新" in refused.json()["detail"]
    assert not Case.objects.exists()
    accepted = client.post(
        "/api/cases/",
        report_body(),
        content_type="application/json",
        headers={"X-CSRFToken": client.cookies["csrftoken"].value},
    )
    assert accepted.status_code == 201, accepted.content


def test_last_use_is_written_at_most_once_a_minute(token):
    client = Client()
    client.get("/api/cases/categories", headers=bearer(token))
    first = ApiToken.objects.get().last_used_at

    client.get("/api/cases/categories", headers=bearer(token))
    assert ApiToken.objects.get().last_used_at == first

    ApiToken.objects.update(last_used_at=first - timedelta(minutes=2))
    client.get("/api/cases/categories", headers=bearer(token))
    assert ApiToken.objects.get().last_used_at > first


@pytest.mark.parametrize(
    "change",
    [
        {"expires_at": timezone.now() - timedelta(seconds=1)},
        {"revoked_at": timezone.now()},
    ],
    ids=["expired", "revoked"],
)
def test_a_dead_token_is_refused(token, change):
    ApiToken.objects.update(**change)

    response = Client().get("/api/cases/categories", headers=bearer(token))

    assert response.status_code == 401
    assert "请重新登录" in response.json()["detail"]


def test_the_token_of_a_deactivated_user_is_refused(token, inspector):
    inspector.is_active = False
    inspector.save(update_fields=["is_active"])

    assert Client().get("/api/cases/categories", headers=bearer(token)).status_code == 401


def test_a_bad_token_is_refused_even_with_a_valid_session(inspector):
    client = Client()
    client.force_login(inspector)

    response = client.get("/api/cases/categories", headers=bearer("cg_forged"))

    assert response.status_code == 401


# ---------------------------------------------------------------- revoke


def test_revoking_ends_the_token_and_is_recorded(token):
    client = Client(enforce_csrf_checks=True)

    response = client.delete(TOKEN_URL, headers=bearer(token))

    assert response.status_code == 204
    row = ApiToken.objects.get()
    assert row.revoked_at is not None
    assert LedgerEntry.objects.filter(kind="api_token.revoked", subject_id=str(row.pk)).exists()
    assert client.get("/api/cases/categories", headers=bearer(token)).status_code == 401
    assert client.delete(TOKEN_URL, headers=bearer(token)).status_code == 401


def test_revoking_one_device_leaves_the_other(inspector, password):
    phone = issue(Client(), inspector, password, device="手机").json()["token"]
    tablet = issue(Client(), inspector, password, device="平板").json()["token"]

    Client().delete(TOKEN_URL, headers=bearer(phone))

    assert Client().get("/api/cases/categories", headers=bearer(tablet)).status_code == 200


def test_revoking_needs_a_token_not_a_session(inspector):
    client = Client()
    client.force_login(inspector)

    assert client.delete(TOKEN_URL).status_code == 401
