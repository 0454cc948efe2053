"""The console as a person meets it: health check, sign-in, language, pages per role,
sign-out, the audit ledger and the calendar warning for administrators."""

import re
from urllib.parse import quote

import pytest
from django.db import connection

import chengguan
from chengguan.accounts.models import User
from chengguan.core.models import CalendarYear
from chengguan.demo.services import DEMO_USERS

pytestmark = pytest.mark.django_db

LOGIN_URL = "/accounts/login/"
PAGES = ["/", "/org/regions/", "/org/map/", "/org/agencies/"]
ADMINS = ["sysadmin", "secadmin", "auditor"]


def signed_in_as(client, username: str):
    client.force_login(User.objects.get(username=username))
    return client


def html(response) -> str:
    return response.content.decode()


def html_lang(response) -> str:
    match = re.search(r'<html lang="([^"]*)"', html(response))
    assert match, "page has no <html lang=...>"
    return match.group(1)


# ---------------------------------------------------------------- health and anonymous access


def test_health_check_answers_without_login(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": connection.vendor,
        "version": chengguan.__version__,
    }


@pytest.mark.parametrize("path", ["/", "/org/regions/", "/org/map/", "/org/agencies/"])
def test_anonymous_visitor_is_sent_to_the_login_page(client, path):
    response = client.get(path)

    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN_URL}?next={quote(path)}"


@pytest.mark.parametrize(
    "path",
    ["/api/org/regions/tree", "/api/org/grids?unit=410106", "/api/org/locate?lon=113.3&lat=34.8"],
)
def test_api_asks_anonymous_callers_to_log_in_first(client, path):
    response = client.get(path)

    assert response.status_code == 401
    assert response.json() == {"detail": "请先登录"}


# ---------------------------------------------------------------- language


def test_login_page_is_in_chinese_by_default(client):
    response = client.get(LOGIN_URL)

    assert response.status_code == 200
    assert html_lang(response) == "zh-hans"
    assert "登录" in html(response)
    assert 'name="username"' in html(response) and 'name="password"' in html(response)


def test_switching_the_language_to_english_marks_the_page_english(client):
    switched = client.post("/i18n/setlang/", {"language": "en", "next": LOGIN_URL})
    assert switched.status_code == 302

    assert html_lang(client.get(LOGIN_URL)) == "en"


def test_english_browser_still_gets_chinese_until_english_is_chosen(client):
    """Only the language menu switches away from Chinese, not the browser's Accept-Language."""
    browser_default = client.get(LOGIN_URL, headers={"accept-language": "en-US,en;q=0.9"})
    assert html_lang(browser_default) == "zh-hans"
    assert "登录" in html(browser_default)

    client.post("/i18n/setlang/", {"language": "en", "next": LOGIN_URL})
    chosen = client.get(LOGIN_URL, headers={"accept-language": "en-US,en;q=0.9"})

    assert html_lang(chosen) == "en"


# ---------------------------------------------------------------- pages per role


@pytest.mark.parametrize("username", [demo.username for demo in DEMO_USERS])
def test_every_demo_role_can_log_in_and_open_the_console_pages(client, password, username):
    response = client.post(LOGIN_URL, {"username": username, "password": password})
    assert response.status_code == 302 and response["Location"] == "/"

    for path in PAGES:
        assert client.get(path).status_code == 200, path


def test_city_leader_sees_the_whole_region_tree(client):
    page = html(signed_in_as(client, "leader").get("/org/regions/"))

    for name in ["郑州市", "金水区", "上街区", "郑东新区", "经八路街道", "济源路街道"]:
        assert name in page, name


def test_district_inspector_sees_only_their_district_in_the_region_tree(client):
    page = html(signed_in_as(client, "inspector").get("/org/regions/"))

    assert "金水区" in page and "经八路街道" in page
    assert "上街区" not in page and "济源路街道" not in page


def test_agencies_page_lists_the_city_commission_under_both_names(client):
    page = html(signed_in_as(client, "leader").get("/org/agencies/"))

    assert "郑州市城市管理委员会" in page
    assert "郑州市城市综合执法局" in page


# ---------------------------------------------------------------- sign-out


def test_logout_by_post_returns_to_the_login_page(client):
    signed_in_as(client, "leader")

    response = client.post("/accounts/logout/")

    assert response.status_code == 302
    assert response["Location"] == LOGIN_URL
    assert client.get("/").status_code == 302  # signed out for real


def test_following_a_logout_link_does_not_sign_out(client):
    signed_in_as(client, "leader")

    response = client.get("/accounts/logout/")

    assert response.status_code == 405
    assert client.get("/").status_code == 200


# ---------------------------------------------------------------- audit ledger


def test_leader_may_not_open_the_audit_ledger(client):
    assert signed_in_as(client, "leader").get("/audit/ledger/").status_code == 403


def test_auditor_reads_the_ledger_and_verifies_it_is_intact(client):
    signed_in_as(client, "auditor")

    page = client.get("/audit/ledger/")
    verified = client.post("/audit/ledger/")

    assert page.status_code == 200
    assert "user.created" in html(page)
    assert verified.status_code == 200
    assert "账本完整" in html(verified)
    assert "账本被篡改" not in html(verified)


def test_ledger_link_is_shown_only_to_the_auditor(client):
    assert 'href="/audit/ledger/"' in html(signed_in_as(client, "auditor").get("/"))
    assert 'href="/audit/ledger/"' not in html(signed_in_as(client, "leader").get("/"))


# ---------------------------------------------------------------- calendar warning


@pytest.fixture
def provisional_2027(db):
    """The session calendar has 2027 estimated (no State Council notice yet); make it explicit."""
    CalendarYear.objects.update_or_create(
        year=2027, defaults={"status": CalendarYear.Status.PROVISIONAL}
    )


def calendar_banner(response) -> str | None:
    match = re.search(r'<div class="banner warn" role="alert">(.*?)</div>', html(response), re.S)
    return match.group(1) if match else None


@pytest.mark.parametrize("username", ADMINS)
def test_administrators_are_warned_about_a_provisional_holiday_year(
    client, provisional_2027, username
):
    banner = calendar_banner(signed_in_as(client, username).get("/"))

    assert banner is not None
    assert "2027 年节假日安排尚未录入正式通知" in banner


@pytest.mark.parametrize("username", ["leader", "operator", "inspector"])
def test_other_users_are_not_shown_the_calendar_warning(client, provisional_2027, username):
    response = signed_in_as(client, username).get("/")

    assert response.status_code == 200
    assert calendar_banner(response) is None
    assert "节假日安排尚未录入正式通知" not in html(response)


@pytest.mark.django_db
def test_admin_pages_warn_about_the_unpublished_calendar_year(client):
    client.force_login(User.objects.get(username="sysadmin"))
    page = client.get("/admin/").content.decode()
    assert "2027 年节假日安排尚未录入正式通知" in page


@pytest.mark.django_db
def test_the_home_page_leads_to_every_door(client, user_factory):
    client.force_login(user_factory("inspector", region="410106"))
    page = html(client.get("/"))
    for link in ('href="/m/"', 'href="/public/"', "/open311/v2/discovery.json", 'href="/api/docs"'):
        assert link in page
    assert client.get("/api/docs").status_code == 200
    client.force_login(user_factory("dispatcher", region="4101"))
    assert 'href="/m/"' not in html(client.get("/"))  # the app is the inspectors'
