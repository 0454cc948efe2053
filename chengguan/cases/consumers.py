"""Keep reporters informed: text messages when their case is received, merged, referred to
the police, closed or reopened. Runs from the outbox relay (`manage.py tick`), after the
change has committed, so nobody is told of a change that rolled back.

A reporter whose case was merged into another hears about the case that carries on.
"""

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import override

from chengguan.cases.models import Case, CaseEvent, Reporter
from chengguan.cases.selectors import cases_following
from chengguan.core.models import OutboxEvent
from chengguan.core.notify import send_text
from chengguan.core.personal import phone_decrypt

SIGNATURE = "【城管】"


def _track_url(reporter: Reporter) -> str:
    return f"{settings.CHENGGUAN['PUBLIC_BASE_URL']}/public/track/{reporter.tracking_code}/"


def reporters_following(case: Case) -> list[Reporter]:
    """The case's own reporters and those of every case merged into it, however deep."""
    return list(Reporter.objects.filter(case__in=cases_following(case)).order_by("created_at"))


def _message(topic: str, case: Case, reporter: Reporter) -> str | None:
    code, url = reporter.tracking_code, _track_url(reporter)
    if topic == "case.reported":
        return _("已收到您反映的问题（案卷号 %(number)s，跟踪码 %(code)s），进度查询：%(url)s") % {
            "number": case.number,
            "code": code,
            "url": url,
        }
    if topic == "case.reporter_joined":
        return _(
            "您反映的问题已在办理中（案卷号 %(number)s，跟踪码 %(code)s），进度查询：%(url)s"
        ) % {
            "number": case.number,
            "code": code,
            "url": url,
        }
    if topic == "case.merge":
        return _(
            "您反映的问题与他人反映的同一问题合并办理（案卷号 %(number)s），跟踪码 %(code)s 仍可查询进度：%(url)s"
        ) % {
            "number": case.merged_into.number if case.merged_into_id else case.number,
            "code": code,
            "url": url,
        }
    if topic == "case.refer_police":
        return _("您反映的问题属公安机关职责，已移交 110 处理（跟踪码 %(code)s）。") % {
            "code": code
        }
    if topic == "case.close":
        return _(
            "您反映的问题已办结（跟踪码 %(code)s）。请评价办理结果；如未解决，7 天内可申请重新办理：%(url)s"
        ) % {
            "code": code,
            "url": url,
        }
    if topic == "case.reopen":
        return _("您反映的问题已重新交办（跟踪码 %(code)s），进度查询：%(url)s") % {
            "code": code,
            "url": url,
        }
    return None


def reporters_inform(event: OutboxEvent) -> None:
    if not event.topic.startswith("case."):
        return
    case = (
        Case.objects.select_related("merged_into").filter(pk=event.payload.get("case_id")).first()
    )
    if case is None:
        return
    if event.topic in ("case.reported", "case.merge", "case.refer_police"):
        reporters = list(case.reporters.all())
    elif event.topic == "case.reporter_joined":
        joined = CaseEvent.objects.filter(pk=event.payload.get("event_id")).first()
        code = joined.data.get("tracking_code") if joined else None
        reporters = list(case.reporters.filter(tracking_code=code))
    else:
        reporters = reporters_following(case)
    with override(settings.LANGUAGE_CODE):  # reporters get Chinese, whatever ran the tick
        for reporter in reporters:
            text = _message(event.topic, case, reporter)
            if text and reporter.phone_cipher:
                send_text(phone_decrypt(reporter.phone_cipher), SIGNATURE + text)
