"""What the public may see of a case and say about it (pure: no Django).

The tracking page is reached by a code anyone may hold (read out on the phone, forwarded
in a message), so it shows the case as the city answers for it, not as staff work on it:
which steps happened and when, in public wording; never who did them, internal notes,
the reporter or the exact position.
"""

import re

from chengguan.cases.domain.workflow import Action, Status
from chengguan.core.errors import DomainError, gettext_noop

# Tracking codes (cases.services): 10 characters without 0/O, 1/I/L.
TRACKING_CODE = re.compile(r"^[2-9A-HJKMNP-Z]{10}$")


def tracking_code_normalise(text: str) -> str:
    """The code as stored, from what a person typed (any case, spaces and dashes ignored);
    "" when it cannot be a tracking code."""
    code = re.sub(r"[\s\-－—]", "", text or "").upper()
    return code if TRACKING_CODE.match(code) else ""


# The timeline events a citizen sees, in public wording. Anything else (extension requests,
# 督办, joint-enforcement parts, staff remarks, other reporters joining) is internal work.
PUBLIC_EVENTS = {
    "reported": gettext_noop("问题已受理"),
    Action.VERIFY: gettext_noop("现场核实：问题属实"),
    Action.REGISTER: gettext_noop("已立案"),
    Action.REJECT: gettext_noop("经核实，不予立案"),
    Action.VOID: gettext_noop("经核实，该反映不予受理"),
    Action.DISPATCH: gettext_noop("已派遣处置单位"),
    Action.DISPATCH_JOINT: gettext_noop("已派遣多部门联合处置"),
    Action.RETURN: gettext_noop("重新确定处置单位"),
    Action.REASSIGN: gettext_noop("已改派处置单位"),
    Action.APPROVE_EXTENSION: gettext_noop("处置时限已延长"),
    Action.HANDLE: gettext_noop("处置单位反馈已处理"),
    Action.CHECK_PASS: gettext_noop("现场核查：已解决"),
    Action.CHECK_FAIL: gettext_noop("现场核查：未解决，返工处置"),
    Action.CLOSE: gettext_noop("已办结"),
    Action.DEFER: gettext_noop("列入长期跟踪处理"),
    Action.RESUME: gettext_noop("恢复处置"),
    Action.MERGE: gettext_noop("与他人反映的同一问题合并办理"),
    Action.REFER_POLICE: gettext_noop("已移交公安机关（110）处理"),
    Action.REOPEN: gettext_noop("群众反映问题未解决，重新办理"),
    "enforcement": gettext_noop("执法处理进展"),
}
# Events whose detail names the agency now in charge (a public body).
AGENCY_EVENTS = frozenset({Action.DISPATCH, Action.DISPATCH_JOINT, Action.REASSIGN})
# The one piece of staff text a citizen reads: the handler's feedback, the city's answer.
FEEDBACK_EVENTS = frozenset({Action.HANDLE})
# Penalty cases opened from a case tell the reporter their outcome in fixed public words.
ENFORCEMENT_EVENT = "enforcement"

STATUS_HINTS = {
    Status.REPORTED: gettext_noop("已受理，等待监督员到现场核实。"),
    Status.VERIFIED: gettext_noop("问题属实，等待立案。"),
    Status.REGISTERED: gettext_noop("已立案，正在确定处置单位。"),
    Status.DISPATCHED: gettext_noop("处置单位正在处理。"),
    Status.HANDLED: gettext_noop("处置单位已反馈处理结果，等待监督员现场核查。"),
    Status.CHECKED: gettext_noop("现场核查已解决，等待结案。"),
    Status.CLOSED: gettext_noop("已办结。"),
    Status.DEFERRED: gettext_noop("问题需要较长时间解决，已列入长期跟踪处理。"),
    Status.REJECTED: gettext_noop("经核实，该问题不符合立案条件。"),
    Status.VOIDED: gettext_noop("经核实，该反映不予受理（如重复反映或现场无此问题）。"),
    Status.MERGED: gettext_noop("与他人反映的同一问题合并办理。"),
    Status.REFERRED: gettext_noop("该问题属公安机关职责，已移交 110 处理。"),
}

STAR_LABELS = {
    1: gettext_noop("非常不满意"),
    2: gettext_noop("不满意"),
    3: gettext_noop("一般"),
    4: gettext_noop("满意"),
    5: gettext_noop("非常满意"),
}
COMMENT_MAX = 500
REOPEN_REASON_MAX = 500


def check_rating(*, status: Status, stars: int, comment: str) -> None:
    """A rating is of a closed case, 1–5 stars, with at most COMMENT_MAX characters."""
    if status is not Status.CLOSED:
        raise DomainError(gettext_noop("案卷办结后才能评价"))
    if stars not in STAR_LABELS:
        raise DomainError(gettext_noop("请选择 1 至 5 星的满意程度"))
    if len(comment) > COMMENT_MAX:
        raise DomainError(gettext_noop("意见不能超过 %(n)s 个字"), n=COMMENT_MAX)
