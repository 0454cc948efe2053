"""The back office shows work orders and callbacks, read only, to the system and audit
admins; failing callbacks can be listed on their own."""

import pytest

from chengguan.core.services import outbox_relay
from chengguan.intake.models import Callback, WorkOrder
from chengguan.intake.tests.conftest import WORK_ORDERS

pytestmark = pytest.mark.django_db


@pytest.fixture
def exchanged(send, order, people):
    from chengguan.cases.domain.workflow import Action
    from chengguan.cases.models import Case
    from chengguan.cases.services import case_act

    case = Case.objects.get(number=send(WORK_ORDERS, order()).json()["case_number"])
    case_act(
        case_id=case.pk,
        action=Action.VOID,
        actor=people.operator,
        expected_version=case.version,
        reason="重复",
    )
    outbox_relay()
    Callback.objects.update(attempts=12)
    return WorkOrder.objects.get()


@pytest.mark.parametrize("role", ["system_admin", "audit_admin"])
def test_system_and_audit_admins_read_work_orders_and_callbacks(
    client, user_factory, exchanged, role
):
    client.force_login(user_factory(role))
    callback = Callback.objects.get()

    assert client.get("/admin/intake/workorder/").status_code == 200
    page = client.get(f"/admin/intake/workorder/{exchanged.pk}/change/")
    assert page.status_code == 200 and exchanged.external_id in page.content.decode()
    failing = client.get("/admin/intake/callback/?delivery=failing")
    assert failing.status_code == 200 and str(callback.pk) in failing.content.decode()
    assert client.get(f"/admin/intake/callback/{callback.pk}/change/").status_code == 200
    assert client.get("/admin/intake/callback/add/").status_code == 403
    deleted = client.post(f"/admin/intake/callback/{callback.pk}/delete/", {"post": "yes"})
    assert deleted.status_code == 403 and Callback.objects.exists()


@pytest.mark.parametrize("role", ["security_admin", "operator"])
def test_other_roles_do_not_see_the_exchange(client, user_factory, exchanged, role):
    client.force_login(user_factory(role))
    assert client.get("/admin/intake/workorder/").status_code in (302, 403)
    assert client.get("/admin/intake/callback/").status_code in (302, 403)
