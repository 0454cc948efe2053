"""HTTP API for cases: the category picker, reporting, the case page, workflow actions and
each role's queue, for the inspector app and integrations.

Edges only: who may act on what is decided by the services (`case_report`, `case_act`) and
by `cases_visible`, exactly as in the console. A case outside the caller's view answers 404
whether or not it exists.
"""

import hashlib
import math
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Annotated, Literal
from uuid import UUID

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from ninja import File, Form, Path, Query, Router, Schema, UploadedFile
from ninja import Status as Reply
from pydantic import Field

from chengguan.accounts.roles import Role
from chengguan.accounts.selectors import roles_of
from chengguan.cases import selectors, services
from chengguan.cases.domain.channels import channels_for, check_report_channel
from chengguan.cases.domain.workflow import (
    ACTION_LABELS,
    LEVEL_LABELS,
    TRANSITIONS,
    Action,
    Clock,
    Level,
    Status,
    event_label,
)
from chengguan.cases.models import Case, CaseEvent, Category
from chengguan.cases.services import reporter_display
from chengguan.core.errors import DomainError, Forbidden, NotFound, gettext_noop
from chengguan.core.idempotency import request_fingerprint, run_once
from chengguan.core.models import Deadline
from chengguan.org.models import Agency

router = Router(tags=["案卷"])

PAGE_SIZE = 50
NEARBY_RADIUS = 2000  # metres: a patrol's walk
NEARBY_MAX_RADIUS = 10_000
NEARBY_LIMIT = 100
# How far a phone's clock may run ahead, and how long a report may wait on a phone.
CLIENT_TIME_AHEAD = timedelta(minutes=5)
CLIENT_TIME_BEHIND = timedelta(days=7)
# What an inspector does with a case in their queue, by its status.
TASKS = {
    Status.REPORTED: ("verify", gettext_noop("核实")),
    Status.HANDLED: ("check", gettext_noop("核查")),
}
NUMBER = "案卷号，如 410106-20261127-000123"

CategoryKind = Literal["matter", "component"]
# Case.Channel's values, written out so the OpenAPI document lists them (a test keeps the two
# in step).
ChannelCode = Literal["inspector", "hotline", "web", "12345", "110", "sensor", "other"]


# The body field that carries each input a transition may require.
INPUT_FIELDS = {
    "reason": "reason",
    "agency": "agency_code",
    "feedback": "feedback",
    "hours": "hours",
    "helpers": "helper_codes",
    "target": "target_number",
}


# ---------------------------------------------------------------- schemas


class ErrorOut(Schema):
    detail: str = Field(..., description="错误说明（可直接展示给用户）")


class ProblemOut(Schema):
    field: str = Field(..., description="出错的字段")
    message: str = Field(..., description="出错原因")


class InvalidOut(Schema):
    detail: str = Field(..., description="错误说明")
    errors: list[ProblemOut] = Field(..., description="逐字段的错误")


ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: InvalidOut}


class CategoryOut(Schema):
    kind: CategoryKind = Field(..., description="类型：component 部件，matter 事件")
    major_code: str = Field(..., description="大类代码（2 位）")
    major_name: str = Field(..., description="大类名称")
    code: str = Field(..., description="小类代码（5 位）；与 kind 一起唯一确定类别")
    name: str = Field(..., description="小类名称")
    urgency: Literal["normal", "urgent"] = Field(
        ..., description="紧急程度：normal 一般，urgent 紧急"
    )
    filing_condition: str = Field(..., description="立案条件")
    closing_condition: str = Field(..., description="结案条件")
    limits: dict[Clock, str] = Field(
        ...,
        description="各阶段时限：verify 核实、register 立案、dispatch 派遣、handle 处置、check 核查，"
        "如“2工作时”“1工作日”；“小时”为连续计时（紧急类别）",
    )


class CategoryRef(Schema):
    kind: CategoryKind = Field(..., description="类型：component 部件，matter 事件")
    code: str = Field(..., description="小类代码")
    name: str = Field(..., description="小类名称")
    major_name: str = Field(..., description="大类名称")
    urgency: Literal["normal", "urgent"] = Field(..., description="紧急程度")


class AgencyRef(Schema):
    code: str = Field(..., description="机构代码")
    name: str = Field(..., description="机构名称")


class DeadlineOut(Schema):
    clock: Clock = Field(
        ..., description="时限：verify 核实、register 立案、dispatch 派遣、handle 处置、check 核查"
    )
    label: str = Field(..., description="时限名称")
    start_at: datetime = Field(..., description="起算时间（ISO 8601，北京时间 +08:00）")
    due_at: datetime = Field(..., description="到期时间（ISO 8601，北京时间 +08:00）")
    provisional: bool = Field(
        ..., description="暂估：到期时间用到了尚未发布的节假日安排，发布后可能调整"
    )
    overdue: bool = Field(..., description="已超过到期时间")


class ActionOut(Schema):
    action: Action = Field(
        ..., description="操作代码，用于 POST /api/cases/{number}/actions/{action}"
    )
    label: str = Field(..., description="操作名称")
    requires: list[str] = Field(
        ...,
        description="必填的请求字段（reason、agency_code、feedback、hours）；派遣时不采用建议处置单位还须填写 reason",
    )


class EventOut(Schema):
    action: str = Field(..., description="操作代码（reported 表示上报）")
    label: str = Field(..., description="操作名称")
    actor: str | None = Field(..., description="操作人（姓名，缺省为用户名）；系统操作为空")
    at: datetime = Field(..., description="时间（北京时间 +08:00）")
    from_status: str = Field(..., description="操作前状态（上报时为空）")
    to_status: str = Field(..., description="操作后状态")
    note: str = Field(..., description="理由或处置情况")
    data: dict = Field(..., description="附加信息（处置单位代码、延期时长等）")


class CaseSummaryOut(Schema):
    number: str = Field(..., description="案卷号，如 410106-20261127-000123")
    status: Status = Field(..., description="状态代码")
    status_label: str = Field(..., description="状态名称")
    version: int = Field(..., description="版本号；执行操作时原样带回")
    level: int = Field(..., description="层级：1 社区、2 街道、3 区、4 市（督办逐级上升）")
    category: CategoryRef = Field(..., description="类别")
    agency: AgencyRef | None = Field(..., description="处置单位（派遣后才有）")
    region_code: str = Field(..., description="县级区划代码")
    street_code: str = Field(..., description="街道代码")
    address: str = Field(..., description="地址")
    reported_at: datetime = Field(..., description="上报时间（北京时间 +08:00）")
    overdue: bool = Field(..., description="已超时（由定时巡检标记）")
    extension_pending: bool = Field(..., description="有待审批的延期申请")
    due_at: datetime | None = Field(..., description="最近一个正在计时的时限的到期时间")


class PhotoOut(Schema):
    kind: str = Field(..., description="report 上报 / verify 核实 / after 处置后 / check 核查")
    url: str = Field(..., description="照片地址（登录后可见，去除 EXIF 的副本）")
    sha256: str = Field(..., description="原始文件的 SHA-256（记入审计账本）")
    uploaded_at: datetime = Field(..., description="上传时间")


class ReporterOut(Schema):
    id: UUID = Field(..., description="反映人标识（查看完整号码时用）")
    channel: str = Field(..., description="来源名称")
    name: str = Field(..., description="姓名（脱敏，如 张**）")
    phone: str = Field(
        ..., description="电话（脱敏，如 138****1234）；完整号码须另行查看并记入审计账本"
    )
    tracking_code: str = Field(..., description="跟踪码（市民查询进度用）")


class PhoneOut(Schema):
    phone: str = Field(..., description="完整电话号码（本次查看已记入审计账本）")


class DuplicateOut(CaseSummaryOut):
    distance_m: int = Field(..., description="与本案卷的距离（米）")


class CaseOut(CaseSummaryOut):
    id: UUID = Field(..., description="案卷内部标识")
    level_label: str = Field(..., description="层级名称")
    channel: ChannelCode = Field(..., description="来源代码")
    channel_label: str = Field(..., description="来源名称")
    description: str = Field(..., description="问题描述")
    lon: float = Field(..., description="WGS84 经度")
    lat: float = Field(..., description="WGS84 纬度")
    grid_code: str | None = Field(..., description="网格代码")
    suggested_agency: AgencyRef | None = Field(
        ..., description="按责任划分建议的处置单位；为空表示无匹配，转市级分拨"
    )
    suggestion: str = Field(..., description="建议依据")
    extension_hours: Decimal | None = Field(..., description="待审批的延期时长（工作时）")
    rework_count: int = Field(..., description="返工次数")
    closed_at: datetime | None = Field(..., description="结案时间（北京时间 +08:00）")
    deadlines: list[DeadlineOut] = Field(..., description="正在计时的时限，按到期时间排序")
    allowed_actions: list[ActionOut] = Field(..., description="当前用户此刻可执行的操作")
    events: list[EventOut] = Field(..., description="案卷记录（时间线），按时间排序")
    photos: list[PhotoOut] = Field(..., description="照片（公开副本已去除 EXIF 位置信息）")
    reporters: list[ReporterOut] = Field(
        ..., description="反映人（市民、来电人、12345/110 工单）：姓名与电话均已脱敏"
    )
    merged_into: str | None = Field(..., description="已合并时，合并到的案卷号")


class QueuePageOut(Schema):
    count: int = Field(..., description="队列中的案卷总数")
    page: int = Field(..., description="当前页码")
    pages: int = Field(..., description="总页数")
    page_size: int = Field(..., description="每页条数")
    items: list[CaseSummaryOut] = Field(..., description="本页案卷，最早上报的在前")


class TaskOut(CaseSummaryOut):
    task: Literal["verify", "check"] = Field(
        ..., description="要做的事：verify 核实（问题是否存在），check 核查（是否已处置好）"
    )
    task_label: str = Field(..., description="要做的事（名称）")
    distance_m: int = Field(..., description="与所给位置的距离（米）")
    lon: float = Field(..., description="WGS84 经度")
    lat: float = Field(..., description="WGS84 纬度")
    url: str = Field(..., description="案卷页面（在浏览器中核实、核查）")


class NearbyIn(Schema):
    lon: float = Field(..., ge=-180, le=180, description="当前位置 WGS84 经度")
    lat: float = Field(..., ge=-90, le=90, description="当前位置 WGS84 纬度")
    radius_m: int = Field(
        NEARBY_RADIUS,
        ge=1,
        le=NEARBY_MAX_RADIUS,
        description="搜索半径（米），默认 2000，最大 10000",
    )


class ReportIn(Schema):
    category_code: str = Field(
        ..., pattern=r"^\d{5}$", description="小类代码（5 位），见 GET /api/cases/categories"
    )
    category_kind: CategoryKind = Field(
        "matter", description="类型：matter 事件（默认），component 部件"
    )
    lon: float = Field(..., ge=-180, le=180, description="WGS84 经度")
    lat: float = Field(..., ge=-90, le=90, description="WGS84 纬度")
    description: str = Field(..., max_length=2000, description="问题描述")
    address: str = Field("", max_length=200, description="地址（可选）")
    channel: ChannelCode | None = Field(
        None,
        description="来源：监督员为 inspector（默认）；受理员可填 hotline（默认）、12345、110、web、sensor、other",
    )
    client_time: datetime | None = Field(
        None,
        description="手机生成这次上报的时间（ISO 8601，须带时区，如 2026-11-27T09:30:00+08:00）："
        "离线暂存后补发时记入时间线和审计账本；不得晚于服务器时间 5 分钟，也不得早于 7 天前",
    )


class ActIn(Schema):
    version: int = Field(
        ..., ge=1, description="客户端看到的案卷版本号；案卷已被他人处理时返回 409，请刷新后重试"
    )
    reason: str = Field(
        "",
        max_length=1000,
        description="理由：作废、不予立案、回退、改派、申请延期、不批准延期、核查不通过、挂账、督办时必填",
    )
    agency_code: str | None = Field(
        None, max_length=40, description="处置单位机构代码：派遣、改派时必填"
    )
    feedback: str = Field("", max_length=2000, description="处置情况：处置反馈、协办完成时必填")
    helper_codes: list[str] = Field(
        default_factory=list,
        max_length=20,
        description="协办单位机构代码：联合执法派遣时必填（牵头单位填 agency_code）",
    )
    hours: Decimal | None = Field(
        None, max_digits=6, decimal_places=1, description="申请延期的工作时数（0.5–200）"
    )
    target_number: str = Field(
        "", max_length=24, description="合并为重复案卷时必填：要合并到的（较早的）案卷号"
    )


class QueueIn(Schema):
    page: int = Field(1, ge=1, description="页码，从 1 开始；每页 50 条")


# ---------------------------------------------------------------- reads (private to the edge)

CLOCK_LABELS = {c: Category._meta.get_field(f"{c.value}_limit").verbose_name for c in Clock}


def _local(moment: datetime | None) -> datetime | None:
    return timezone.localtime(moment, timezone.get_default_timezone()) if moment else None


def _visible_case(user, number: str) -> Case:
    case = (
        selectors.cases_visible(user)
        .select_related("category", "agency", "suggested_agency", "grid")
        .filter(number=number)
        .first()
    )
    if case is None:
        raise NotFound(gettext_noop("没有找到该案卷"))
    return case


def _first_due(cases: list[Case]) -> dict[str, datetime]:
    """The earliest running deadline of each case, in one query."""
    due: dict[str, datetime] = {}
    rows = (
        Deadline.objects.filter(
            subject_type="cases.case",
            subject_id__in=[str(c.pk) for c in cases],
            stopped_at__isnull=True,
        )
        .order_by("due_at")
        .values_list("subject_id", "due_at")
    )
    for subject_id, due_at in rows:
        due.setdefault(subject_id, due_at)
    return due


# ---------------------------------------------------------------- shaping


def _agency(agency: Agency | None) -> AgencyRef | None:
    return AgencyRef(code=agency.code, name=agency.name) if agency else None


def _summary_fields(case: Case, due_at: datetime | None) -> dict:
    category = case.category
    return {
        "number": case.number,
        "status": case.status,
        "status_label": case.status_label,
        "version": case.version,
        "level": case.level,
        "category": CategoryRef(
            kind=category.kind,
            code=category.code,
            name=category.name,
            major_name=category.major_name,
            urgency=category.urgency,
        ),
        "agency": _agency(case.agency),
        "region_code": case.region_code,
        "street_code": case.street_code,
        "address": case.address,
        "reported_at": _local(case.reported_at),
        "overdue": case.overdue,
        "extension_pending": case.extension_pending,
        "due_at": _local(due_at),
    }


def _event(event: CaseEvent) -> EventOut:
    actor = (event.actor.full_name or event.actor.get_username()) if event.actor else None
    return EventOut(
        action=event.action,
        label=gettext(event_label(event.action)),
        actor=actor,
        at=_local(event.at),
        from_status=event.from_status,
        to_status=event.to_status,
        note=event.note,
        data=event.data,
    )


def _case_out(case: Case, user) -> CaseOut:
    now = timezone.now()
    deadlines = list(selectors.open_deadlines(case))
    return CaseOut(
        **_summary_fields(case, deadlines[0].due_at if deadlines else None),
        id=case.pk,
        level_label=gettext(LEVEL_LABELS[Level(case.level)]),
        channel=case.channel,
        channel_label=case.get_channel_display(),
        description=case.description,
        lon=case.lon,
        lat=case.lat,
        grid_code=case.grid.code if case.grid else None,
        suggested_agency=_agency(case.suggested_agency),
        suggestion=case.suggestion,
        extension_hours=case.extension_hours,
        rework_count=case.rework_count,
        closed_at=_local(case.closed_at),
        deadlines=[
            DeadlineOut(
                clock=d.kind,
                label=str(CLOCK_LABELS.get(Clock(d.kind), d.kind)),
                start_at=_local(d.start_at),
                due_at=_local(d.due_at),
                provisional=d.provisional,
                overdue=d.due_at < now,
            )
            for d in deadlines
        ],
        allowed_actions=[
            ActionOut(
                action=a,
                label=gettext(ACTION_LABELS[a]),
                requires=[INPUT_FIELDS[name] for name in sorted(TRANSITIONS[a].requires)],
            )
            for a in selectors.actions_for(case, user)
        ],
        events=[_event(e) for e in case.events.select_related("actor").order_by("at", "pk")],
        reporters=[
            ReporterOut(id=r.pk, **reporter_display(r))
            for r in case.reporters.order_by("created_at")
        ],
        merged_into=case.merged_into.number if case.merged_into_id else None,
        photos=[
            PhotoOut(
                kind=p.kind,
                url=reverse("cases:photo", args=[case.number, p.pk]),
                sha256=p.sha256,
                uploaded_at=timezone.localtime(p.uploaded_at),
            )
            for p in case.photos.all()
        ],
    )


def _reloaded(case: Case) -> Case:
    """The case as saved, with what the page shows. Not through `cases_visible`: the caller
    may have just handed it out of their view (a handler returning a task)."""
    return Case.objects.select_related("category", "agency", "suggested_agency", "grid").get(
        pk=case.pk
    )


# ---------------------------------------------------------------- endpoints


@router.get(
    "/categories",
    response=list[CategoryOut],
    summary="案卷类别目录（选择器用）",
    description="启用的部件、事件类别及各阶段时限（GB/T 47678.5，本市调整后）。",
)
def categories(
    request,
    kind: Annotated[
        CategoryKind | None, Query(description="只列出某类型：component 部件，matter 事件")
    ] = None,
):
    rows = Category.objects.filter(active=True).order_by("kind", "code")
    if kind:
        rows = rows.filter(kind=kind)
    return [
        CategoryOut(
            kind=c.kind,
            major_code=c.major_code,
            major_name=c.major_name,
            code=c.code,
            name=c.name,
            urgency=c.urgency,
            filing_condition=c.filing_condition,
            closing_condition=c.closing_condition,
            limits={clock: getattr(c, f"{clock.value}_limit") for clock in Clock},
        )
        for c in rows
    ]


@router.post(
    "/",
    response={201: CaseOut, **ERRORS},
    summary="上报案卷",
    description="监督员上报（来源 inspector，视为已核实，直接待立案）或受理员登记群众、热线、"
    "12345、110 等来源的问题（待监督员核实）。坐标须在本市网格内。"
    "可带 Idempotency-Key 请求头：重试时返回第一次的结果而不重复立卷；同一键用于不同内容时返回 422。",
)
def report(request, payload: ReportIn):
    status, body = run_once(
        scope=f"cases.report:{request.user.pk}",
        key=request.headers.get("Idempotency-Key"),
        fingerprint=request_fingerprint(request.body),
        compute=lambda: (201, _report(request, payload, photos=[]).model_dump(mode="json")),
    )
    return Reply(status, body)


@router.post(
    "/with-photos",
    response={201: CaseOut, **ERRORS},
    summary="上报案卷并附照片（移动应用）",
    description="与上一接口相同，但以 multipart/form-data 提交字段，并用 photos 附最多 5 张照片"
    "（按内容检查：JPEG、PNG、WebP；原件 SHA-256 记入审计账本）。"
    "离线暂存的上报补发时带上 client_time 和 Idempotency-Key 请求头：同一键重发（字段与照片都相同）"
    "返回第一次的结果而不重复立卷；同一键用于不同内容时返回 422。",
)
def report_with_photos(request, payload: Form[ReportIn], photos: File[list[UploadedFile]] = None):
    photos = photos or []
    if len(photos) > services.MAX_PHOTOS:
        raise DomainError(gettext_noop("每次最多上传 %(n)s 张照片"), n=services.MAX_PHOTOS)
    # The multipart body's boundary differs on every send: fingerprint what it carries, each
    # photo by its digest read in chunks (a retry answered from the first attempt never
    # loads the photos whole).
    status, body = run_once(
        scope=f"cases.report:{request.user.pk}",
        key=request.headers.get("Idempotency-Key"),
        fingerprint=request_fingerprint(
            payload.model_dump_json(), *(_file_digest(f) for f in photos)
        ),
        compute=lambda: (
            201,
            _report(request, payload, photos=[_file_bytes(f) for f in photos]).model_dump(
                mode="json"
            ),
        ),
    )
    return Reply(status, body)


def _file_digest(upload: UploadedFile) -> str:
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    return digest.hexdigest()


def _file_bytes(upload: UploadedFile) -> bytes:
    upload.seek(0)
    return upload.read()


def _checked_client_time(moment: datetime | None) -> datetime | None:
    """The phone's time of a report, if plausible. Checked when the report is taken in (not
    on a retry that finds the first answer): a report accepted on time stays accepted."""
    if moment is None:
        return None
    if timezone.is_naive(moment):
        raise DomainError(gettext_noop("client_time 须带时区，如 2026-11-27T09:30:00+08:00"))
    now = timezone.now()
    if moment > now + CLIENT_TIME_AHEAD:
        raise DomainError(
            gettext_noop("手机时间比服务器快 %(minutes)s 分钟以上，请校准手机时间后重新提交"),
            minutes=int(CLIENT_TIME_AHEAD.total_seconds() // 60),
        )
    if moment < now - CLIENT_TIME_BEHIND:
        raise DomainError(
            gettext_noop("这条上报已在手机上存放超过 %(days)s 天，不能补报；请到现场重新上报"),
            days=CLIENT_TIME_BEHIND.days,
        )
    return moment


def _report(request, payload: ReportIn, *, photos: list[bytes]) -> "CaseOut":
    user = request.user
    usual = channels_for(roles_of(user))
    channel = payload.channel or (usual[0] if usual else "")
    check_report_channel(roles_of(user), channel)  # before looking anything up
    client_time = _checked_client_time(payload.client_time)
    category = Category.objects.filter(
        kind=payload.category_kind, code=payload.category_code
    ).first()
    if category is None:
        raise DomainError(gettext_noop("没有找到该类别：%(code)s"), code=payload.category_code)
    case = services.case_report(
        actor=user,
        category=category,
        lon=payload.lon,
        lat=payload.lat,
        description=payload.description,
        channel=channel,
        address=payload.address,
        photos=photos,
        client_time=client_time,
    )
    return _case_out(_reloaded(case), user)


@router.get(
    "/queue/{role}",
    response={200: QueuePageOut, **ERRORS},
    summary="本人某岗位的待办队列",
    description="受理员、值班长、派遣员、处置人员、监督员各自的待办案卷，最早上报的在前，每页 50 条。"
    "没有该岗位时返回 403。",
)
def queue(
    request,
    params: Query[QueueIn],
    role: Annotated[
        Role, Path(description="岗位：operator、shift_leader、dispatcher、handler、inspector")
    ],
):
    user = request.user
    if role not in roles_of(user):
        raise Forbidden(gettext_noop("您没有该岗位，不能查看其待办"))
    if role not in selectors.QUEUE_STATUSES:
        raise NotFound(gettext_noop("该岗位没有待办队列"))
    cases: QuerySet[Case] = selectors.queue_for(user, role)
    count = cases.count()
    start = (params.page - 1) * PAGE_SIZE
    page = list(cases[start : start + PAGE_SIZE])
    due = _first_due(page)
    return QueuePageOut(
        count=count,
        page=params.page,
        pages=math.ceil(count / PAGE_SIZE),
        page_size=PAGE_SIZE,
        items=[CaseSummaryOut(**_summary_fields(c, due.get(str(c.pk)))) for c in page],
    )


@router.get(
    "/tasks/nearby",
    response={200: list[TaskOut], **ERRORS},
    summary="监督员附近的任务",
    description="本人监督员队列中的案卷（待核实的上报、待核查的处置），在所给位置的搜索半径内，"
    "最近的在前，最多 100 条，带距离（米）和要做的事。没有监督员岗位时返回 403。",
)
def tasks_nearby(request, params: Query[NearbyIn]):
    user = request.user
    if Role.INSPECTOR not in roles_of(user):
        raise Forbidden(gettext_noop("只有监督员有核实、核查任务"))
    cases = selectors.tasks_near(
        user, lon=params.lon, lat=params.lat, radius_m=params.radius_m, limit=NEARBY_LIMIT
    )
    due = _first_due(cases)
    labels = {status: (task, gettext(label)) for status, (task, label) in TASKS.items()}
    return [
        TaskOut(
            **_summary_fields(c, due.get(str(c.pk))),
            task=labels[c.status][0],
            task_label=labels[c.status][1],
            distance_m=c.distance_m,
            lon=c.lon,
            lat=c.lat,
            url=reverse("cases:detail", args=[c.number]),
        )
        for c in cases
    ]


@router.get(
    "/{number}",
    response={200: CaseOut, **ERRORS},
    summary="案卷详情",
    description="状态、类别、处置单位与建议、正在计时的时限、当前用户可执行的操作和时间线。"
    "不在本人可见范围内的案卷返回 404。",
)
def detail(request, number: Annotated[str, Path(description=NUMBER)]):
    return _case_out(_visible_case(request.user, number), request.user)


@router.post(
    "/{number}/actions/{action}",
    response={200: CaseOut, **ERRORS},
    summary="执行案卷操作",
    description="核实、立案、派遣、处置反馈、核查、结案等。须带回案卷的 version：他人已先处理时返回 409；"
    "业务规则不允许时返回 400（附原因）；岗位或单位不符时返回 403；看不到该案卷时返回 404。",
)
def act(
    request,
    payload: ActIn,
    number: Annotated[str, Path(description=NUMBER)],
    action: Annotated[Action, Path(description="操作代码，见案卷详情的 allowed_actions")],
):
    return _act(request, payload, number, action, photos=[])


@router.post(
    "/{number}/actions/{action}/with-photos",
    response={200: CaseOut, **ERRORS},
    summary="执行案卷操作并附照片",
    description="与上一接口相同，但以 multipart/form-data 提交字段，并用 photos 附最多 5 张照片"
    "（上报、核实、处置反馈、协办完成、核查时）。照片按内容检查（JPEG、PNG、WebP），原件 SHA-256 记入审计账本。",
)
def act_with_photos(
    request,
    payload: Form[ActIn],
    number: Annotated[str, Path(description=NUMBER)],
    action: Annotated[Action, Path(description="操作代码，见案卷详情的 allowed_actions")],
    photos: File[list[UploadedFile]] = None,
):
    return _act(request, payload, number, action, photos=[f.read() for f in photos or []])


def _act(request, payload: ActIn, number: str, action: Action, *, photos: list[bytes]):
    user = request.user
    case = _visible_case(user, number)
    agency_id = None
    if payload.agency_code:
        agency = Agency.objects.filter(code=payload.agency_code).first()
        if agency is None:
            raise DomainError(gettext_noop("请选择有效的处置单位"))
        agency_id = agency.pk
    helper_ids = []
    for code in payload.helper_codes:
        helper = Agency.objects.filter(code=code).first()
        if helper is None:
            raise DomainError(gettext_noop("没有找到协办单位：%(code)s"), code=code)
        helper_ids.append(helper.pk)
    updated = services.case_act(
        case_id=case.pk,
        action=action,
        actor=user,
        expected_version=payload.version,
        reason=payload.reason,
        agency_id=agency_id,
        feedback=payload.feedback,
        hours=payload.hours,
        helper_ids=helper_ids,
        target_number=payload.target_number,
        photos=photos,
    )
    return _case_out(_reloaded(updated), user)


@router.get(
    "/{number}/duplicates",
    response={200: list[DuplicateOut], **ERRORS},
    summary="可能重复的较早案卷",
    description="同类别、未结、距离与时间在重复规则之内（默认 50 米、72 小时）的较早案卷，最近的在前；"
    "受理员可用“合并为重复案卷”（merge，target_number 填其案卷号）把本案卷并入。",
)
def duplicates(request, number: Annotated[str, Path(description=NUMBER)]):
    case = _visible_case(request.user, number)
    found = selectors.duplicate_candidates(request.user, case)
    due = _first_due(found)
    return [
        DuplicateOut(**_summary_fields(c, due.get(str(c.pk))), distance_m=c.distance_m)
        for c in found
    ]


@router.post(
    "/{number}/reporters/{reporter_id}/phone",
    response={200: PhoneOut, **ERRORS},
    summary="查看反映人完整电话（记入审计账本）",
    description="只有受理员、值班长（需回访反映人）可查看；每次查看都记入审计账本。其他岗位返回 403。",
)
def reporter_phone(
    request,
    number: Annotated[str, Path(description=NUMBER)],
    reporter_id: Annotated[UUID, Path(description="反映人标识，见案卷详情的 reporters")],
):
    case = _visible_case(request.user, number)
    if not case.reporters.filter(pk=reporter_id).exists():
        raise NotFound(gettext_noop("没有找到该反映人的电话"))
    return PhoneOut(
        phone=services.reporter_phone_reveal(actor=request.user, reporter_id=reporter_id)
    )
