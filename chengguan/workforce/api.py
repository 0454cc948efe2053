"""HTTP API of the workforce (C3): may I enforce today, and the register for integrations.

Edges only: the gate's rules are `gate.enforcer_check`'s; the register is read through the
same territorial scope as the personnel pages, with ID numbers masked.
"""

from datetime import date
from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext
from ninja import Query, Router, Schema
from pydantic import Field

from chengguan.core.errors import Forbidden, NotFound, gettext_noop
from chengguan.workforce.gate import enforcer_check
from chengguan.workforce.models import Certificate
from chengguan.workforce.rules import is_personnel
from chengguan.workforce.selectors import agencies_visible, people_visible

router = Router(tags=["执法队伍"])

PAGE_SIZE = 200


class EnforcerAnswer(Schema):
    may_enforce: bool
    certificate: str | None = Field(None, description="执法证号（可以执法时）")
    expires_on: date | None = Field(None, description="执法证有效期至（可以执法时）")
    reason: str | None = Field(None, description="不能执法的原因")


class PersonOut(Schema):
    id: UUID
    name: str
    kind: str = Field(description="officer 执法人员 / auxiliary 协管员")
    agency: str = Field(description="单位代码")
    id_masked: str = Field(description="身份证号码（脱敏）")
    front_line: bool
    active: bool
    certificate_expires_on: date | None = Field(None, description="有效执法证中最晚的有效期至")


class PeoplePage(Schema):
    count: int
    items: list[PersonOut]


@router.get("/enforcers/me", response=EnforcerAnswer, summary="我今天能否执法")
def enforcer_me(request, on: date | None = None):
    """Asks the enforcement gate about the signed-in user on `on` (default today): a
    registered officer with a certificate in force and no failed latest assessment."""
    try:
        certificate = enforcer_check(request.user, on or timezone.localdate())
    except Forbidden as error:
        reason = gettext(error.message) % error.params if error.params else gettext(error.message)
        return {"may_enforce": False, "reason": reason}
    return {
        "may_enforce": True,
        "certificate": certificate.number,
        "expires_on": certificate.expires_on,
    }


@router.get("/people", response=PeoplePage, summary="执法队伍人员（身份证号码脱敏）")
def people(request, agency: str | None = None, offset: int = Query(0, ge=0)):
    """The register in the caller's territory, for personnel officers; `agency` (a code)
    outside it answers 404 whether or not it exists."""
    if not is_personnel(request.user):
        raise PermissionDenied
    rows = people_visible(request.user).prefetch_related("certificates")
    if agency:
        if not agencies_visible(request.user).filter(code=agency).exists():
            raise NotFound(gettext_noop("没有该单位：%(code)s"), code=agency)
        rows = rows.filter(agency__code=agency)
    items = []
    for person in rows[offset : offset + PAGE_SIZE]:
        valid = [
            c.expires_on for c in person.certificates.all() if c.status == Certificate.Status.VALID
        ]
        items.append(
            {
                "id": person.pk,
                "name": person.name,
                "kind": person.kind,
                "agency": person.agency.code,
                "id_masked": person.id_masked,
                "front_line": person.front_line,
                "active": person.active,
                "certificate_expires_on": max(valid, default=None),
            }
        )
    return {"count": rows.count(), "items": items}
