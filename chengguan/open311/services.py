"""Open311 clients and the mapping between GeoReport v2 and cases.

Service codes: a matter (事件) keeps its 5-digit GB/T code (`06010` 暴露垃圾); a component
(部件) is prefixed with `c` (`c01001`), because the two catalogues reuse the same codes.
"""

import hashlib
import secrets
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from chengguan.accounts.models import User
from chengguan.accounts.services import user_create
from chengguan.cases.domain.workflow import Status
from chengguan.cases.models import Case, Category
from chengguan.cases.services import case_report
from chengguan.core.errors import DomainError, gettext_noop
from chengguan.open311.models import Open311Client
from chengguan.org.models import Agency, Region

JURISDICTION_ID = "4101"
CLOSED = frozenset({Status.CLOSED.value, Status.REJECTED.value, Status.VOIDED.value})


def api_key_hash(api_key: str) -> str:
    return hashlib.sha256(api_key.encode()).hexdigest()


def client_for_key(api_key: str | None) -> Open311Client | None:
    if not api_key:
        return None
    return (
        Open311Client.objects.select_related("service_account")
        .filter(api_key_hash=api_key_hash(api_key), active=True, service_account__is_active=True)
        .first()
    )


@transaction.atomic
def client_register(
    *, name: str, api_key: str, username: str, region_code: str = JURISDICTION_ID
) -> Open311Client:
    """Register (or re-key) a client and its operator service account; idempotent by name."""
    account = User.objects.filter(username=username).first()
    if account is None:
        account = user_create(
            username=username,
            # The account never signs in: a policy-valid throwaway, then no usable password.
            password=f"{secrets.token_urlsafe(24)}aA1!",
            roles=["operator"],
            full_name=name,
            region=Region.objects.get(code=region_code),
            agency=Agency.objects.filter(code=f"{region_code}-CGW").first(),
        )
        account.set_unusable_password()
        account.save(update_fields=["password"])
    client, _ = Open311Client.objects.update_or_create(
        name=name,
        defaults={"api_key_hash": api_key_hash(api_key), "service_account": account},
    )
    return client


def service_code(category: Category) -> str:
    return category.code if category.kind == Category.Kind.MATTER else f"c{category.code}"


def category_for(code: str) -> Category | None:
    code = (code or "").strip()
    if code.startswith("c"):
        kind, code = Category.Kind.COMPONENT, code[1:]
    else:
        kind = Category.Kind.MATTER
    return Category.objects.filter(kind=kind, code=code, active=True).first()


def service_dict(category: Category) -> dict[str, Any]:
    return {
        "service_code": service_code(category),
        "service_name": category.name,
        "description": category.filing_condition,
        "metadata": False,
        "type": "realtime",
        "keywords": ",".join([category.get_kind_display(), category.major_name, category.name]),
        "group": category.major_name,
    }


def services_list() -> list[dict[str, Any]]:
    return [service_dict(c) for c in Category.objects.filter(active=True)]


def _when(moment) -> str | None:
    return timezone.localtime(moment).isoformat(timespec="seconds") if moment else None


def request_dict(case: Case) -> dict[str, Any]:
    """The public view of a case: no reporter, no contact details, no internal notes."""
    closed = case.status in CLOSED
    return {
        "service_request_id": case.number,
        "status": "closed" if closed else "open",
        "status_notes": case.status_label,
        "service_name": case.category.name,
        "service_code": service_code(case.category),
        "description": case.description,
        "agency_responsible": case.agency.name if case.agency_id else "",
        "service_notice": "",
        "requested_datetime": _when(case.reported_at),
        "updated_datetime": _when((case.closed_at if closed else None) or case.updated_at),
        "address": case.address,
        "lat": case.lat,
        "long": case.lon,
        "media_url": "",
    }


def cases_public():
    return Case.objects.select_related("category", "agency")


def request_post(*, client: Open311Client, data: Any) -> list[dict[str, Any]]:
    """Take in a POSTed request (form data) as a web report by the client's service account."""
    category = category_for(data.get("service_code", ""))
    if category is None:
        raise DomainError(
            gettext_noop("没有找到该服务：%(code)s"), code=data.get("service_code", "")
        )
    try:
        lat, lon = float(data["lat"]), float(data["long"])
    except (KeyError, TypeError, ValueError):
        raise DomainError(gettext_noop("location required：请提供 lat 和 long（WGS84）")) from None
    case = case_report(
        actor=client.service_account,
        category=category,
        lon=lon,
        lat=lat,
        description=data.get("description", ""),
        channel="web",
        address=data.get("address_string", "")[:200],
    )
    # The spec answers service_request_id and service_notice; the whole public request is
    # given too, so the answer also validates against the community's request.json schema.
    case = cases_public().get(pk=case.pk)
    notice = gettext("已受理，案卷号 %(number)s，待监督员核实") % {"number": case.number}
    return [request_dict(case) | {"service_notice": notice}]
