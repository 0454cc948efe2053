"""Account security: 三员分立, password policy, lock-out, idle sessions, territorial scope,
the read-only ledger in the back office, and a clean `check --deploy` in production."""

import base64
import json
import os
import secrets
import string
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.utils import timezone

from chengguan.accounts.models import User
from chengguan.accounts.services import user_create, user_set_roles
from chengguan.core.errors import DomainError
from chengguan.core.models import LedgerEntry
from chengguan.org.models import Region

REPO_ROOT = Path(__file__).resolve().parents[3]
LOGIN_URL = "/accounts/login/"
COMPLIANT_PASSWORD = "Xk8#mPq2vLr"


def role_names(user) -> set[str]:
    return set(User.objects.get(pk=user.pk).groups.values_list("name", flat=True))


def group_ids(*names: str) -> list[str]:
    return [str(Group.objects.get(name=name).pk) for name in names]


def roles_changed_entries(user):
    return LedgerEntry.objects.filter(kind="user.roles_changed", subject_id=str(user.pk))


def demo(username: str) -> User:
    return User.objects.get(username=username)


# ---------------------------------------------------------------- 三员分立 in the services


@pytest.mark.django_db
@pytest.mark.parametrize(
    "roles",
    [
        ["system_admin", "security_admin"],
        ["security_admin", "audit_admin"],
        ["system_admin", "audit_admin"],
        ["operator", "system_admin", "audit_admin"],
    ],
)
def test_creating_a_user_with_two_administrator_roles_is_refused_and_leaves_nothing(
    roles, password
):
    users_before = User.objects.count()
    ledger_before = LedgerEntry.objects.count()

    with pytest.raises(DomainError, match="三员分立"):
        user_create(username="two_hats", password=password, roles=roles)

    assert not User.objects.filter(username="two_hats").exists()
    assert User.objects.count() == users_before
    assert LedgerEntry.objects.count() == ledger_before


@pytest.mark.django_db
def test_giving_an_administrator_a_second_administrator_role_is_refused_and_roles_stay(
    user_factory,
):
    admin = user_factory("system_admin", username="sys2")
    ledger_before = LedgerEntry.objects.count()

    with pytest.raises(DomainError, match="三员分立") as refused:
        user_set_roles(user=admin, roles=["system_admin", "audit_admin"])

    assert "系统管理员" in str(refused.value) and "审计管理员" in str(refused.value)
    assert role_names(admin) == {"system_admin"}
    assert User.objects.get(pk=admin.pk).is_staff
    assert LedgerEntry.objects.count() == ledger_before


@pytest.mark.django_db
def test_changing_roles_is_recorded_in_the_ledger_with_before_and_after(user_factory):
    user = user_factory("operator")
    secadmin = demo("secadmin")

    user_set_roles(user=user, roles=["operator", "dispatcher"], actor=secadmin)

    entry = roles_changed_entries(user).get()
    assert entry.actor_name == "secadmin"
    assert json.loads(entry.payload)["data"] == {
        "from": ["operator"],
        "to": ["dispatcher", "operator"],
    }
    assert role_names(user) == {"operator", "dispatcher"}


# ---------------------------------------------------------------- 三员分立 in the back office


def user_change_post(user, **overrides) -> dict:
    """The fields of the admin change form as the browser would send them back."""
    data = {
        "username": user.username,
        "password": user.password,
        "full_name": user.full_name,
        "phone": user.phone,
        "email": user.email,
        "region": str(user.region_id or ""),
        "agency": str(user.agency_id or ""),
        "is_active": "on",
        "groups": [str(g.pk) for g in user.groups.all()],
        "_save": "保存",
    }
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_security_admin_cannot_grant_two_admin_roles_in_admin(client, user_factory):
    target = user_factory("operator", username="target")
    client.force_login(demo("secadmin"))

    response = client.post(
        f"/admin/accounts/user/{target.pk}/change/",
        user_change_post(target, groups=group_ids("security_admin", "audit_admin")),
    )

    assert response.status_code == 200  # the form comes back with the error
    assert "三员分立：同一用户不能同时担任审计管理员、安全管理员" in response.content.decode()
    assert role_names(target) == {"operator"}
    assert not roles_changed_entries(target).exists()


@pytest.mark.django_db
def test_security_admin_grants_a_role_in_admin_and_the_ledger_records_who(client, user_factory):
    target = user_factory("operator", username="target")
    client.force_login(demo("secadmin"))

    response = client.post(
        f"/admin/accounts/user/{target.pk}/change/",
        user_change_post(target, groups=group_ids("operator", "shift_leader")),
    )

    assert response.status_code == 302
    assert role_names(target) == {"operator", "shift_leader"}
    entry = roles_changed_entries(target).get()
    assert entry.actor_name == "secadmin"
    assert json.loads(entry.payload)["data"]["to"] == ["operator", "shift_leader"]


@pytest.mark.django_db
def test_system_admin_cannot_change_roles_in_admin(client, user_factory):
    target = user_factory("operator", username="target")
    client.force_login(demo("sysadmin"))

    page = client.get(f"/admin/accounts/user/{target.pk}/change/")
    assert page.status_code == 200
    assert 'name="groups"' not in page.content.decode()  # shown read-only

    response = client.post(
        f"/admin/accounts/user/{target.pk}/change/",
        user_change_post(target, full_name="改名测试", groups=group_ids("system_admin")),
    )

    assert response.status_code == 302  # the edit of the details went through ...
    assert User.objects.get(pk=target.pk).full_name == "改名测试"
    assert role_names(target) == {"operator"}  # ... the roles did not
    assert not User.objects.get(pk=target.pk).is_staff
    assert not roles_changed_entries(target).exists()


@pytest.mark.django_db
def test_admins_cannot_read_or_overwrite_a_password_hash_in_the_user_form(client, user_factory):
    from django.contrib.auth.hashers import make_password

    target = user_factory("operator", username="target")
    client.force_login(demo("secadmin"))

    page = client.get(f"/admin/accounts/user/{target.pk}/change/").content.decode()
    client.post(
        f"/admin/accounts/user/{target.pk}/change/",
        user_change_post(target, password=make_password("Known-Pass-123")),
    )

    assert target.password.rsplit("$", 1)[-1] not in page
    assert not User.objects.get(pk=target.pk).check_password("Known-Pass-123")


# ---------------------------------------------------------------- password policy


@pytest.mark.django_db
@pytest.mark.parametrize(
    "weak, code",
    [
        ("password123", "password_too_common"),
        ("Short1!", "password_too_short"),
        ("Abc12345!", "password_too_short"),  # nine characters: the policy asks for ten
        ("alllowercaseletters", "password_too_simple"),
        ("ALLUPPER12345", "password_too_simple"),
    ],
)
def test_weak_passwords_are_refused_when_creating_a_user(weak, code):
    with pytest.raises(ValidationError) as refused:
        user_create(username="newcomer", password=weak, roles=["operator"])

    assert code in {error.code for error in refused.value.error_list}
    assert not User.objects.filter(username="newcomer").exists()


@pytest.mark.django_db
def test_password_without_three_character_classes_is_explained_in_chinese():
    with pytest.raises(ValidationError) as refused:
        user_create(username="newcomer", password="alllowercaseletters", roles=["operator"])

    assert "密码须至少包含大写字母、小写字母、数字、符号中的三类" in " ".join(
        refused.value.messages
    )


@pytest.mark.django_db
def test_compliant_password_is_accepted():
    user = user_create(username="newcomer", password=COMPLIANT_PASSWORD, roles=["operator"])

    assert User.objects.get(pk=user.pk).check_password(COMPLIANT_PASSWORD)


# ---------------------------------------------------------------- lock-out


def attempt(client, username: str, password: str):
    return client.post(LOGIN_URL, {"username": username, "password": password})


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


@pytest.mark.django_db
def test_five_failed_logins_lock_the_account_even_for_the_right_password(client, password):
    first = attempt(client, "leader", "wrong-Password-1")
    assert first.status_code == 200
    assert "用户名或密码不正确" in first.content.decode()
    for _ in range(4):
        attempt(client, "leader", "wrong-Password-1")

    response = attempt(client, "leader", password)

    assert response.status_code == 429
    assert "账号已锁定" in response.content.decode()
    assert not signed_in(client)


@pytest.mark.django_db
def test_locking_one_account_does_not_lock_another(client, password):
    for _ in range(5):
        attempt(client, "leader", "wrong-Password-1")

    response = attempt(client, "operator", password)

    assert response.status_code == 302
    assert signed_in(client)


@pytest.mark.django_db
def test_four_failures_then_the_right_password_signs_in(client, password):
    for _ in range(4):
        attempt(client, "leader", "wrong-Password-1")

    response = attempt(client, "leader", password)

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert signed_in(client)


@pytest.mark.django_db
def test_a_successful_login_forgets_earlier_failures(client, password):
    for _ in range(4):
        attempt(client, "leader", "wrong-Password-1")
    assert attempt(client, "leader", password).status_code == 302
    client.logout()
    for _ in range(4):
        attempt(client, "leader", "wrong-Password-1")

    response = attempt(client, "leader", password)

    assert response.status_code == 302
    assert signed_in(client)


def lock_out(client, username: str) -> None:
    for _ in range(5):
        attempt(client, username, "wrong-Password-1")


@pytest.mark.django_db
def test_security_admin_unlocks_a_locked_account_in_admin(client, password):
    from axes.models import AccessAttempt

    lock_out(client, "leader")
    locked = AccessAttempt.objects.get(username="leader")
    client.force_login(demo("secadmin"))

    response = client.post(f"/admin/axes/accessattempt/{locked.pk}/delete/", {"post": "yes"})

    assert response.status_code == 302
    client.logout()
    assert attempt(client, "leader", password).status_code == 302
    assert signed_in(client)


@pytest.mark.django_db
def test_audit_admin_cannot_unlock_a_locked_account(client, password):
    from axes.models import AccessAttempt

    lock_out(client, "leader")
    locked = AccessAttempt.objects.get(username="leader")
    client.force_login(demo("auditor"))

    assert client.get("/admin/axes/accessattempt/").status_code == 200  # may look
    response = client.post(f"/admin/axes/accessattempt/{locked.pk}/delete/", {"post": "yes"})

    assert response.status_code == 403
    client.logout()
    assert attempt(client, "leader", password).status_code == 429


# ---------------------------------------------------------------- idle timeout


def session_row(client) -> Session:
    return Session.objects.get(session_key=client.session.session_key)


@pytest.mark.django_db
def test_session_expires_after_thirty_idle_minutes(client, password):
    assert attempt(client, "leader", password).status_code == 302

    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert client.session.get_expiry_age() == 30 * 60
    expires_in = session_row(client).expire_date - timezone.now()
    assert timedelta(minutes=29) < expires_in <= timedelta(minutes=30)


@pytest.mark.django_db
def test_each_request_pushes_the_idle_expiry_forward(client, password):
    assert attempt(client, "leader", password).status_code == 302
    # Pretend the user was idle for 29 minutes: one minute of the session is left.
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() + timedelta(minutes=1)
    )

    assert client.get("/").status_code == 200

    expires_in = session_row(client).expire_date - timezone.now()
    assert expires_in > timedelta(minutes=29)


@pytest.mark.django_db
def test_an_idle_session_past_its_expiry_is_signed_out(client, password):
    assert attempt(client, "leader", password).status_code == 302
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )

    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN_URL)


# ---------------------------------------------------------------- territorial scope (rules)


def tree_codes(nodes) -> set[str]:
    codes = set()
    for node in nodes:
        codes.add(node["code"])
        codes |= tree_codes(node["children"])
    return codes


@pytest.mark.django_db
def test_district_user_cannot_read_another_districts_region(client, user_factory):
    client.force_login(user_factory("operator", region="410105"))

    other = client.get("/api/org/regions/410106")
    own = client.get("/api/org/regions/410105")

    assert other.status_code == 404
    assert other.json()["detail"] == "没有找到该区划"
    assert own.status_code == 200 and own.json()["name"] == "金水区"


@pytest.mark.django_db
def test_district_user_sees_only_their_district_in_the_region_tree(client, user_factory):
    client.force_login(user_factory("operator", region="410105"))

    tree = client.get("/api/org/regions/tree").json()

    codes = tree_codes(tree)
    assert [node["code"] for node in tree] == ["410105"]
    assert "410105001" in codes  # its streets are there ...
    assert all(code.startswith("410105") for code in codes)  # ... and nothing else
    assert "4101" not in codes and "410106" not in codes


@pytest.mark.django_db
def test_district_user_gets_their_grids_and_none_of_another_district(client, user_factory):
    own_district = user_factory("operator", region="410106")
    other_district = user_factory("operator", region="410105")

    client.force_login(own_district)
    own = client.get("/api/org/grids", {"unit": "410106"}).json()
    elsewhere = client.get("/api/org/grids", {"unit": "410105"}).json()
    client.force_login(other_district)
    foreign = client.get("/api/org/grids", {"unit": "410106"}).json()

    assert own["type"] == "FeatureCollection" and len(own["features"]) > 0
    assert all(f["properties"]["code"].startswith("410106") for f in own["features"])
    assert elsewhere == {"type": "FeatureCollection", "truncated": False, "features": []}
    assert foreign == {"type": "FeatureCollection", "truncated": False, "features": []}


@pytest.mark.django_db
def test_street_user_gets_only_their_streets_grids(client, user_factory):
    client.force_login(user_factory("operator", region="410106"))
    whole_unit = client.get("/api/org/grids", {"unit": "410106"}).json()["features"]
    client.force_login(user_factory("operator", region="410106001"))

    street = client.get("/api/org/grids", {"unit": "410106"}).json()["features"]

    assert 0 < len(street) < len(whole_unit)
    assert all(f["properties"]["code"].startswith("410106001") for f in street)


@pytest.mark.django_db
def test_user_without_a_region_sees_no_territory(client, user_factory):
    client.force_login(user_factory("leader", region=None))

    assert client.get("/api/org/regions/tree").json() == []
    assert client.get("/api/org/regions/4101").status_code == 404
    assert client.get("/api/org/grids", {"unit": "410106"}).json()["features"] == []


@pytest.mark.django_db
def test_only_a_system_admin_in_scope_may_change_a_region(user_factory):
    shangjie = Region.objects.get(code="410106")
    city_sysadmin = demo("sysadmin")
    operator = demo("operator")
    jinshui_sysadmin = user_factory("system_admin", region="410105")

    assert city_sysadmin.has_perm("org.change_region", shangjie)
    assert not operator.has_perm("org.change_region", shangjie)
    assert not jinshui_sysadmin.has_perm("org.change_region", shangjie)
    assert jinshui_sysadmin.has_perm("org.change_region", Region.objects.get(code="410105"))


def region_change_post(region, **overrides) -> dict:
    data = {
        "code": region.code,
        "name": region.name,
        "short_name": region.short_name,
        "kind": region.kind,
        "parent": str(region.parent_id or ""),
        "statistical": "on" if region.statistical else "",
        "stat_parent_code": region.stat_parent_code,
        "unit_code": region.unit_code,
        "host_county_code": region.host_county_code,
        "population": region.population or "",
        "households": region.households or "",
        "population_source": region.population_source,
        "_save": "保存",
    }
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_city_system_admin_renames_a_region_in_admin(client):
    shangjie = Region.objects.get(code="410106")
    client.force_login(demo("sysadmin"))

    response = client.post(
        f"/admin/org/region/{shangjie.pk}/change/", region_change_post(shangjie, name="上街区·改")
    )

    assert response.status_code == 302
    assert Region.objects.get(pk=shangjie.pk).name == "上街区·改"


@pytest.mark.django_db
def test_district_system_admin_cannot_rename_another_districts_region_in_admin(
    client, user_factory
):
    shangjie = Region.objects.get(code="410106")
    client.force_login(user_factory("system_admin", region="410105"))

    response = client.post(
        f"/admin/org/region/{shangjie.pk}/change/", region_change_post(shangjie, name="上街区·改")
    )

    # Out of territory means invisible: the admin answers "no such object" (redirect to the
    # admin index), exactly as for a region that does not exist.
    assert response.status_code == 302 and response.url == "/admin/"
    assert Region.objects.get(pk=shangjie.pk).name == "上街区"


@pytest.mark.django_db
def test_audit_admin_reads_the_ledger_in_admin(client):
    client.force_login(demo("auditor"))
    entry = LedgerEntry.objects.order_by("seq").first()

    assert client.get("/admin/core/ledgerentry/").status_code == 200
    page = client.get(f"/admin/core/ledgerentry/{entry.pk}/change/")
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()


@pytest.mark.django_db
def test_audit_admin_cannot_edit_or_add_regions_in_admin(client):
    client.force_login(demo("auditor"))
    shangjie = Region.objects.get(code="410106")

    assert client.get("/admin/org/region/add/").status_code == 403
    response = client.post(
        f"/admin/org/region/{shangjie.pk}/change/",
        {"code": "410106", "name": "被改名", "kind": "county", "_save": "保存"},
    )
    assert response.status_code == 403
    assert Region.objects.get(pk=shangjie.pk).name == "上街区"
    page = client.get(f"/admin/org/region/{shangjie.pk}/change/")
    assert 'name="_save"' not in page.content.decode()  # read only at most


@pytest.mark.django_db
def test_audit_admin_cannot_add_users(client):
    client.force_login(demo("auditor"))

    assert client.get("/admin/accounts/user/add/").status_code == 403
    response = client.post(
        "/admin/accounts/user/add/",
        {"username": "ghost", "password1": COMPLIANT_PASSWORD, "password2": COMPLIANT_PASSWORD},
    )
    assert response.status_code == 403
    assert not User.objects.filter(username="ghost").exists()
    assert not demo("auditor").has_perm("accounts.add_user")


@pytest.fixture
def superuser(db):
    return User.objects.create_superuser(username="root", password=COMPLIANT_PASSWORD)


@pytest.mark.django_db
@pytest.mark.parametrize("username", ["auditor", "sysadmin", "secadmin", "root"])
def test_nobody_can_add_change_or_delete_ledger_entries_in_admin(client, superuser, username):
    client.force_login(demo(username))
    entry = LedgerEntry.objects.order_by("seq").first()
    count = LedgerEntry.objects.count()

    assert client.get("/admin/core/ledgerentry/add/").status_code == 403
    assert client.post("/admin/core/ledgerentry/add/", {"kind": "forged"}).status_code == 403
    changed = client.post(f"/admin/core/ledgerentry/{entry.pk}/change/", {"kind": "forged"})
    assert changed.status_code == 403
    deleted = client.post(f"/admin/core/ledgerentry/{entry.pk}/delete/", {"post": "yes"})
    assert deleted.status_code == 403
    assert LedgerEntry.objects.count() == count
    assert LedgerEntry.objects.get(pk=entry.pk).kind == entry.kind


# ---------------------------------------------------------------- production settings


def production_env(tmp_path, **extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DATABASE_", "SESSION_", "AXES_"))
    }
    env.update(
        DJANGO_ENV="production",
        DJANGO_ALLOWED_HOSTS="chengguan.example.org",
        DJANGO_SETTINGS_MODULE="config.settings",
        DATABASE_URL=f"sqlite:///{tmp_path / 'production.sqlite3'}",
        CHENGGUAN_PERSONAL_DATA_KEY=base64.b64encode(secrets.token_bytes(32)).decode(),
    )
    env.update(extra)
    return {k: v for k, v in env.items() if v}


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def random_secret_key() -> str:
    alphabet = string.ascii_letters + string.digits + "!@#%^&*(-_=+)"
    return "".join(secrets.choice(alphabet) for _ in range(50))


def test_production_settings_pass_the_deployment_checklist(tmp_path):
    env = production_env(tmp_path, DJANGO_SECRET_KEY=random_secret_key())

    result = manage("check", "--deploy", "--fail-level", "WARNING", env=env)

    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    "missing", ["DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS", "CHENGGUAN_PERSONAL_DATA_KEY"]
)
def test_production_refuses_to_start_without_its_secrets_and_hosts(tmp_path, missing):
    env = production_env(tmp_path, **{"DJANGO_SECRET_KEY": random_secret_key(), missing: ""})

    result = manage("check", env=env)

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert f"{missing} must be set in production" in result.stderr


@pytest.mark.django_db
def test_district_system_admin_manages_only_the_people_of_the_district(client, user_factory):
    local = user_factory("operator", region="410105", username="jinshui-operator")
    elsewhere = user_factory("operator", region="410106", username="shangjie-operator")
    admin_user = user_factory("system_admin", region="410105", username="jinshui-sysadmin")
    client.force_login(admin_user)

    listing = client.get("/admin/accounts/user/").content.decode()
    assert "jinshui-operator" in listing and "shangjie-operator" not in listing
    assert client.get(f"/admin/accounts/user/{local.pk}/change/").status_code == 200
    response = client.get(f"/admin/accounts/user/{elsewhere.pk}/change/")
    assert response.status_code == 302 and response.url == "/admin/"  # as if it did not exist
    assert admin_user.has_perm("accounts.change_user", local)
    assert not admin_user.has_perm("accounts.change_user", elsewhere)


@pytest.mark.django_db
def test_department_admin_is_bound_to_the_department_not_to_the_whole_city(client, user_factory):
    from chengguan.org.models import Agency

    power = Agency.objects.get(code="4101-DEPT-POWER")
    gas = Agency.objects.get(code="4101-DEPT-GAS")
    lineman = user_factory("handler", region="4101", agency=power, username="power-lineman")
    fitter = user_factory("handler", region="4101", agency=gas, username="gas-fitter")
    admin_user = user_factory("system_admin", region="4101", agency=power, username="power-admin")
    client.force_login(admin_user)

    listing = client.get("/admin/accounts/user/").content.decode()
    assert "power-lineman" in listing and "gas-fitter" not in listing
    assert admin_user.has_perm("accounts.change_user", lineman)
    assert not admin_user.has_perm("accounts.change_user", fitter)
    assert admin_user.has_perm("org.change_agency", power)
    assert not admin_user.has_perm("org.change_agency", gas)
    # Territory still applies as usual: a city-wide department sees the city's regions.
    assert admin_user.has_perm("org.view_region", Region.objects.get(code="410106"))


@pytest.mark.django_db
def test_bureau_admin_is_scoped_by_territory_and_manages_the_units_it_leads(user_factory):
    from chengguan.org.models import Agency

    bureau = Agency.objects.get(code="410105-CGJ")
    admin_user = user_factory("system_admin", region="410105", agency=bureau)
    assert admin_user.has_perm("org.change_agency", Agency.objects.get(code="410105001-DD"))
    assert not admin_user.has_perm("org.change_agency", Agency.objects.get(code="410106001-DD"))
