"""Writes from the public portal: a citizen's report, rating and request to reopen.

Citizens have no account. What they do is recorded in the case's timeline and the ledger
as done by one service account, `public-portal` (an operator of the city, the role that
takes in reports from the public), exactly as an Open311 client's requests are; the
citizen is the case's `Reporter`, known by the tracking code.
"""

import hashlib
from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from chengguan.accounts.models import User
from chengguan.accounts.services import service_account_ensure
from chengguan.cases.domain.workflow import Action, Status
from chengguan.cases.models import Case, Category, Rating, Reporter
from chengguan.cases.services import Contact, case_act, case_report
from chengguan.core.errors import Conflict, DomainError, gettext_noop
from chengguan.core.services import ledger_append
from chengguan.portal.domain import REOPEN_REASON_MAX, check_rating
from chengguan.portal.selectors import case_living

PORTAL_USERNAME = "public-portal"
CHANNEL = "web"


def portal_account() -> User:
    """The service account public reports and reopenings are recorded under (timeline,
    ledger, `Case.reporter`): an operator of the whole city that can never sign in."""
    return service_account_ensure(
        username=PORTAL_USERNAME,
        full_name="公众门户（市民网上报）",
        region_code=settings.CHENGGUAN["CITY_CODE"],
    )


@transaction.atomic
def report_submit(
    *,
    category: Category,
    lon: float,
    lat: float,
    description: str,
    address: str = "",
    contact: Contact,
    photos: list[bytes] | tuple = (),
) -> Reporter:
    """A citizen's report: a web case with its photos and the citizen as its reporter (with
    a tracking code). Nothing is kept when anything is refused (a photo that is not one,
    a place outside the city): the case, reporter and photo rows roll back together."""
    case = case_report(
        actor=portal_account(),
        category=category,
        lon=lon,
        lat=lat,
        description=description,
        channel=CHANNEL,
        address=address,
        photos=photos,
        contact=contact,
    )
    return case.reporters.get()


@transaction.atomic
def rating_save(
    *, reporter: Reporter, stars: int, comment: str = "", at: datetime | None = None
) -> Rating:
    """A reporter's satisfaction with the closure of the case they follow (the case their
    report was merged into, if it was): once per reporter and closure.

    The rating and its ledger entry ("case.rated") commit together. It adds no timeline
    event and leaves the case's version alone, so no staff member's open form goes stale;
    the staff read ratings from `case.ratings`. The comment itself stays in the Rating row
    (it may be erased if it holds personal data); the ledger keeps only its SHA-256.
    """
    comment = (comment or "").strip()
    case = case_living(reporter.case)
    check_rating(status=Status(case.status), stars=stars, comment=comment)
    at = at or timezone.now()
    try:
        with transaction.atomic():
            rating = Rating.objects.create(
                case=case,
                reporter=reporter,
                round=case.rework_count,
                stars=stars,
                comment=comment,
                at=at,
            )
    except IntegrityError:
        raise Conflict(gettext_noop("您已评价过本次办理结果，感谢您的反馈")) from None
    ledger_append(
        kind="case.rated",
        subject=case,
        actor=portal_account(),
        data={
            "number": case.number,
            "reporter": str(reporter.pk),
            "round": rating.round,
            "stars": stars,
            "comment_sha256": hashlib.sha256(comment.encode()).hexdigest() if comment else "",
        },
    )
    return rating


def reporter_reopen(
    *, reporter: Reporter, reason: str, expected_version: int, at: datetime | None = None
) -> Case:
    """ "Not fixed": the reporter sends the closed case back to its agency, within
    REOPEN_DAYS natural days of closure (the domain checks the window, case_act the status
    and version). Recorded as a reopening by the portal account with the citizen's reason."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(gettext_noop("请说明问题仍未解决的情况"))
    if len(reason) > REOPEN_REASON_MAX:
        raise DomainError(gettext_noop("说明不能超过 %(n)s 个字"), n=REOPEN_REASON_MAX)
    case = case_living(reporter.case)
    return case_act(
        case_id=case.pk,
        action=Action.REOPEN,
        actor=portal_account(),
        expected_version=expected_version,
        reason=reason,
        at=at,
    )
