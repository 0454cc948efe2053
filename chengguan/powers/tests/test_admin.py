"""Back office: the system admin edits a power with a ledger entry; holders are read only."""

import pytest
from django.urls import reverse

from chengguan.accounts.roles import Role
from chengguan.core.models import LedgerEntry
from chengguan.powers.models import Power, PowerHolder

pytestmark = pytest.mark.django_db


@pytest.fixture
def login(client):
    def sign_in(user):
        client.force_login(user)
        return client

    return sign_in


def test_system_admin_edits_a_power_with_a_ledger_entry(user_factory, login):
    client = login(user_factory(Role.SYSTEM_ADMIN.value))
    power = Power.objects.get(code="ZF-GS-001")
    url = reverse("admin:powers_power_change", args=[power.pk])
    form = client.get(url).context["adminform"].form
    data = {name: form[name].value() or "" for name in form.fields}
    data["supervision"] = "拨打 12345 热线。"
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    power.refresh_from_db()
    assert power.supervision == "拨打 12345 热线。"
    assert LedgerEntry.objects.filter(kind="powers.power.changed", subject_id=str(power.pk))


def test_holders_are_read_only_in_the_back_office(user_factory, login):
    client = login(user_factory(Role.SYSTEM_ADMIN.value))
    assert client.get(reverse("admin:powers_powerholder_changelist")).status_code == 200
    assert client.get(reverse("admin:powers_powerholder_add")).status_code == 403
    holder = PowerHolder.objects.first()
    page = client.get(reverse("admin:powers_powerholder_change", args=[holder.pk]))
    assert page.status_code == 200 and b'name="_save"' not in page.content


def test_a_dispatcher_cannot_edit_powers(user_factory, login):
    client = login(user_factory(Role.DISPATCHER.value))
    assert client.get(reverse("admin:powers_power_changelist")).status_code in (302, 403)
