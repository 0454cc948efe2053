"""Demo data for the case flow: the catalogue, a responsibility matrix, a few thousand cases.

The matrix follows how Zhengzhou's districts divide the work (环卫 for cleanliness, 市政 for
facilities, 园林 for greenery, the street's enforcement brigade for street order and
construction, utilities for their own manholes); 其他管理部件 (05) is left unassigned on
purpose, so the city triage queue has cases too.
"""

import math
import random
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from time import perf_counter

import shapely
from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher, get_hasher
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from chengguan.accounts.models import User
from chengguan.accounts.services import user_create
from chengguan.cases.catalogue import catalogue_load
from chengguan.cases.domain.limits import LimitUnit
from chengguan.cases.domain.workflow import STATUS_LABELS, Action, Status
from chengguan.cases.models import Case, Category, Responsibility
from chengguan.cases.services import Contact, case_act, case_report
from chengguan.cases.sweeps import sweep
from chengguan.core.models import OutboxEvent
from chengguan.core.reference import read_text
from chengguan.core.selectors import work_calendar
from chengguan.core.services import ledger_append
from chengguan.org.models import Agency, Grid, Region

UNIT_DEPARTMENT = {
    "01": "DEPT-MUN",
    "02": "DEPT-MUN",
    "03": "DEPT-SAN",
    "04": "DEPT-LAND",
    "06": "DEPT-SAN",
    "10": "DEPT-SAN",
}
STREET_BRIGADE_MAJORS = ["07", "08", "09"]
CITY_UTILITIES = {
    "DEPT-POWER": ["01005", "01028", "01029", "01030"],
    "DEPT-GAS": ["01011", "01021"],
    "DEPT-TEL": ["01007", "01008", "01009", "01027", "01031"],
    "DEPT-WATER": ["01001", "01002", "01003", "01004", "01019"],
    "DEPT-HEAT": ["01010"],
    "DEPT-TP": ["01015", "09009"],
}


def catalogue_ensure() -> None:
    if not Category.objects.exists():
        catalogue_load(
            catalogue_csv=read_text("gbt47678.5-2026_components_and_matters.csv"),
            defaults_csv=read_text("case_time_limit_defaults.csv"),
            limits_csv=read_text("case_time_limits.csv"),
        )


@transaction.atomic
def responsibilities_ensure() -> int:
    if Responsibility.objects.exists():
        return 0
    rows = []
    city = Region.objects.get(kind=Region.Kind.CITY)
    agencies = {a.code: a for a in Agency.objects.all()}
    for suffix, codes in CITY_UTILITIES.items():
        for category in Category.objects.filter(kind=Category.Kind.MATTER, code__in=codes):
            rows.append(
                Responsibility(
                    region=city,
                    category=category,
                    agency=agencies[f"{city.code}-{suffix}"],
                    priority=10,
                )
            )
    for unit in Region.objects.filter(kind__in=[Region.Kind.COUNTY, Region.Kind.ZONE]):
        for major, suffix in UNIT_DEPARTMENT.items():
            rows.append(
                Responsibility(
                    region=unit, major_code=major, agency=agencies[f"{unit.code}-{suffix}"]
                )
            )
    for street in Region.objects.filter(kind=Region.Kind.STREET):
        brigade = agencies[f"{street.code}-DD"]
        for major in STREET_BRIGADE_MAJORS:
            rows.append(Responsibility(region=street, major_code=major, agency=brigade))
        for code in ("06001", "06029", "06027", "06028"):  # 私搭乱建, 露天烧烤, 油烟, 噪声
            category = Category.objects.get(kind=Category.Kind.MATTER, code=code)
            rows.append(Responsibility(region=street, category=category, agency=brigade))
    Responsibility.objects.bulk_create(rows, batch_size=1000)
    ledger_append(kind="responsibility.loaded", subject=city, data={"rows": len(rows)})
    return len(rows)


# ---------------------------------------------------------------- demo cases
#
# `cases_ensure` fills an empty case table with a month of believable work: reports where
# people live (grids weighted by population), mostly in office hours, common problems far
# more often than rare ones, and each case taken through the real services (`case_report`,
# `case_act`) at historical times, so its timeline, clocks, ledger and outbox are exactly
# what the platform would have recorded. Each case gets an intended journey (most close;
# some are rejected, voided, returned, extended, reworked, deferred or left to stall); the
# journey stops at "now", which leaves the recent cases waiting at every stage, and the
# deadline sweep then marks the late ones overdue.

CHANNEL_SHARES = {
    Case.Channel.INSPECTOR: 55,
    Case.Channel.HOTLINE: 25,
    Case.Channel.HOTLINE_12345: 15,
    Case.Channel.WEB: 5,
}
# Frequency of the common matters (per mille); the other active matters share LONG_TAIL.
CATEGORY_WEIGHTS = {
    "06010": 115,  # 暴露垃圾
    "07001": 95,  # 非法小广告
    "09006": 90,  # 占道经营
    "06042": 80,  # 垃圾站（箱）满溢
    "09009": 70,  # 机动车乱停放
    "09001": 60,  # 无照经营游商
    "06012": 60,  # 道路不洁
    "06036": 55,  # 乱堆杂物
    "09005": 45,  # 店外经营
    "09010": 30,  # 非机动车乱停放
    "09011": 25,  # 共享单车乱象
    "08004": 30,  # 工地扬尘
    "06011": 20,  # 积存垃圾渣土
    "06013": 15,  # 道路破损
    "01003": 15,  # 雨水井盖异常
    "01037": 15,  # 路灯异常
    "06007": 12,  # 沿街晾挂
    "06017": 12,  # 绿地脏乱
    "06035": 10,  # 废弃家具设备
    "06029": 10,  # 露天烧烤
    "08005": 10,  # 施工废弃料
    "04002": 10,  # 行道树异常
    "06001": 8,  # 私搭乱建
    "07003": 8,  # 违规户外广告
    "06028": 7,  # 噪声扰民
    "06027": 5,  # 油烟污染
}
LONG_TAIL = 88
# What residents phone about more than patrols find: noise, smoke, night barbecues.
CITIZEN_BOOST = {"06028": 5, "06027": 4, "06029": 3, "08001": 6, "09012": 3, "06030": 3}

# Intended journeys and their relative weights. "stall" leaves one stage in hand far past
# its limit (the overdue and escalated cases of the demo); older cases stall less often (a
# backlog is mostly recent), see STALL_BY_AGE.
OUTCOMES = {
    "close": 330,
    "rework_close": 35,
    "rework_open": 20,
    "extension_close": 30,
    "extension_open": 20,
    "extension_refused": 10,
    "return": 20,
    "reassign": 10,
    "defer": 35,
    "reject": 45,
    "void": 40,
    "stall": 350,
}
LATE_SHARE = 0.04  # of the stages not stalled, how many still run past their limit
STALL_BY_AGE = ((7, 1.0), (15, 0.6), (10_000, 0.35))  # (up to days old, share of "stall")
STALL_STAGES = {
    "verify": 14,
    "register": 16,
    "dispatch": 14,
    "handle": 28,
    "check": 16,
    "close": 12,
}

UNIT_ROADS = {
    "410102": "中原路 建设路 桐柏路 秦岭路 工人路 伏牛路 华山路 陇海西路 须水河路 棉纺路 汝河路",
    "410103": "大学路 航海中路 京广路 长江路 兴华街 政通路 淮河路 德化街 解放路 一马路 连云路",
    "410104": "紫荆山路 城东路 东大街 商城路 南关街 北顺城街 陇海东路 未来路 航海东路 货站街",
    "410105": "花园路 经三路 文化路 农业路 东风路 丰产路 红专路 纬五路 经八路 黄河路 金水路 南阳路",
    "410106": "济源路 中心路 新安路 工业路 登封路 淮阳路 汝南路 通航路",
    "410108": "江山路 天河路 开元路 长兴路 迎宾路 英才街 清华园路 银河路 文化北路",
    "410122": "青年路 建设路 广惠街 商都大道 官渡大道 郑庵路 东风路",
    "410171": "第八大街 航海东路 经北一路 经南三路 第九大街 朝凤路 宇工路",
    "410172": "科学大道 莲花街 长椿路 翠竹街 西四环 瑞达路 红松路 枫杨街",
    "410173": "郑港四路 新港大道 迎宾大道 凌空街 四港联动大道 雍州路 华夏大道",
    "410181": "杜甫路 永安路 新兴路 嵩山路 紫荆路 桐本路",
    "410182": "索河路 京城路 郑上路 桃花路 演武路 万山路",
    "410183": "青屏大街 开阳路 东大街 西大街 溱水路 长乐路",
    "410184": "轩辕路 人民路 新华路 中华北路 文化路 始祖路",
    "410185": "少林大道 中岳大街 嵩阳路 大禹路 书院河路 崇高路",
    "410190": "商务外环路 金水东路 农业东路 心怡路 商都路 龙湖中环路 如意西路 九如路 众意路",
}
PLACES = (
    *("附近", "门口", "东侧人行道", "西侧人行道", "南侧", "北侧", "公交站旁", "小区北门"),
    *("小区南门", "菜市场入口", "地铁站出口", "学校门口", "商场门前", "路口西北角"),
    *("路口东南角", "绿化带旁", "桥下"),
)
CHANNEL_PREFIX = {
    Case.Channel.INSPECTOR: ("", "", "巡查发现："),
    Case.Channel.HOTLINE: ("市民来电反映：", "群众来电："),
    Case.Channel.HOTLINE_12345: ("12345 转办：市民反映", "12345 工单：群众反映"),
    Case.Channel.WEB: ("市民网上反映：",),
}
TEMPLATES = {
    "06010": (
        "{addr}路边有成堆生活垃圾，约{n}平方米，有异味",
        "{addr}绿化带内堆有暴露垃圾，塑料袋、餐盒较多",
        "{addr}人行道上散落垃圾未及时清运",
    ),
    "06042": (
        "{addr}垃圾箱已满溢，垃圾散落在箱体周围",
        "{addr}垃圾站周边堆满垃圾袋，未及时清运",
        "{addr}分类垃圾桶满溢，桶盖无法关闭",
    ),
    "09006": (
        "{addr}有{n}个摊位占用人行道经营，影响行人通行",
        "{addr}水果摊占道经营，货物摆到机动车道边",
        "{addr}早餐摊点占道经营，桌椅摆在人行道上",
    ),
    "09001": (
        "{addr}有流动商贩推三轮车售卖水果",
        "{addr}有游商在路口兜售小商品，围观人员较多",
        "{addr}流动摊贩售卖烤红薯、糖炒栗子，影响通行",
    ),
    "09009": (
        "{addr}有{n}辆机动车停在人行道上，堵塞行人通道",
        "{addr}机动车在禁停路段长时间停放，影响通行",
        "{addr}车辆乱停放，占用盲道",
    ),
    "06012": (
        "{addr}路面有泥土、落叶，保洁不到位",
        "{addr}路面油污较多，未及时冲洗",
        "{addr}道路两侧积尘明显，垃圾散落",
    ),
    "01003": (
        "{addr}雨水井盖破损，存在安全隐患",
        "{addr}雨水井盖缺失，行人有跌落风险",
        "{addr}雨水井盖松动移位，车辆经过有响声",
    ),
    "07001": (
        "{addr}墙面、电线杆上张贴大量小广告",
        "{addr}配电箱上喷涂办证小广告",
        "{addr}公交站牌上贴满管道疏通小广告",
    ),
    "06036": (
        "{addr}人行道上堆放废旧建材和杂物",
        "{addr}楼道口外乱堆纸箱、泡沫等杂物",
        "{addr}商户在门前堆放货物杂物，占用通道",
    ),
    "08004": (
        "{addr}施工工地土方未覆盖，起风时扬尘严重",
        "{addr}工地出入口车辆带泥上路，扬尘较大",
        "{addr}拆除工地作业未采取洒水降尘措施",
    ),
    "09005": ("{addr}商户将货架摆到店外经营", "{addr}饭店在店外摆放桌椅经营，占用人行道"),
    "09010": ("{addr}非机动车乱停乱放，堵塞人行道", "{addr}电动车停放杂乱，占用盲道"),
    "09011": ("{addr}共享单车大量堆积，占用人行道", "{addr}共享单车倒地堆放，影响通行"),
    "06011": ("{addr}积存建筑垃圾渣土约{n}立方米，未清运",),
    "06013": ("{addr}人行道地砖破损、松动，约{n}平方米", "{addr}路面出现坑槽，车辆通行颠簸"),
    "01037": ("{addr}连续{n}盏路灯夜间不亮", "{addr}路灯白天常亮"),
    "06007": ("{addr}临街商户在行道树间拉绳晾晒衣物",),
    "06017": ("{addr}绿地内有垃圾杂物，杂草丛生",),
    "06035": ("{addr}路边堆放废弃沙发、床垫等旧家具",),
    "06029": ("{addr}夜间有露天烧烤，油烟扰民",),
    "08005": ("{addr}施工废弃料堆放在路边未清运",),
    "04002": ("{addr}行道树倾斜，有倒伏危险", "{addr}行道树枯死，需要补植"),
    "06001": ("{addr}有人在楼顶私自搭建彩钢房", "{addr}商户在门前私搭棚子"),
    "07003": ("{addr}楼顶户外广告牌破损，存在坠落隐患",),
    "06028": ("{addr}商户用高音喇叭招揽生意，噪声扰民",),
    "06027": ("{addr}餐馆油烟直排，未安装油烟净化设施",),
}
FACILITY_TEMPLATES = (  # majors 01–05: "{thing}异常"
    "{addr}{thing}{damage}，需尽快维修",
    "{addr}发现{thing}{damage}，影响周边群众",
    "{addr}{thing}{damage}，存在安全隐患",
)
DAMAGES = ("破损", "缺失", "松动", "倾斜", "污损", "无法正常使用")
MATTER_TEMPLATES = (  # majors 06–10
    "{addr}存在{name}问题，影响市容环境",
    "{addr}发现{name}，请尽快处理",
    "{addr}{name}，周边群众反映强烈",
)
FEEDBACK = {
    "01": ("已更换新件，现场恢复正常", "已完成维修，设施恢复正常使用"),
    "02": ("已完成维修，设施恢复正常", "已联系产权单位修复"),
    "03": ("已安排环卫人员清理维修，现场恢复正常", "已更换损坏设施"),
    "04": ("已安排园林养护人员处理，现场恢复", "已修剪扶正并加固"),
    "06": ("已安排环卫人员清理，现场恢复整洁", "已清运完毕，并对周边进行冲洗"),
    "07": ("已清除小广告，涉及号码已申请停机", "已铲除清理，墙面恢复"),
    "08": ("已责令施工单位整改，覆盖防尘网并洒水降尘", "已督促施工单位清理，现场恢复"),
    "09": ("已劝离摊贩，恢复通行", "已现场劝导，当事人已自行整改", "已联系当事人挪车并张贴告知单"),
}
REASONS = {
    "void": ("重复上报，已并入前一案卷", "经核实现场无此问题", "上报信息不全，无法核实"),
    "reject": (
        "经核实不属于城市管理范围",
        "位于小区内部，属物业管理范围",
        "问题已由产权单位自行处理",
    ),
    "return": ("该点位不属于本单位职责范围", "经现场查看，应由属地街道处置"),
    "redispatch": ("原单位回退，改派属地单位处置", "经核实属地管理，改派"),
    "reassign": ("经协调改由属地单位处置", "原单位力量不足，改派"),
    "extension": ("需协调产权单位，申请延期", "需采购配件，申请延期", "涉及多个部门，申请延期"),
    "refuse": ("可在原时限内处置完毕，不予延期",),
    "check_fail": ("复查时现场仍有残留，需继续处置", "问题反弹，当事人仍在原处", "处置不彻底"),
    "defer": ("涉及历史遗留问题，需区政府协调，暂挂账", "需纳入年度改造计划，暂挂账"),
    "supervise": ("群众多次反映，请加快处置", "已超时，请说明原因并尽快处置"),
}
OFFICE_HOURS = ((8.5, 12.0), (13.5, 18.0))
CITY_STAFF = ("operator", "shift_leader", "dispatcher")  # demo accounts of the city centre


@dataclass
class _Step:
    at: datetime
    action: Action
    who: str  # inspector, operator, shift_leader, dispatcher or handler
    args: dict = field(default_factory=dict)


@dataclass
class _Plan:
    at: datetime
    channel: str
    category: Category
    grid: tuple  # (pk, region_code, street_id, population, geometry_wkb)
    outcome: str
    steps: list[_Step] = field(default_factory=list)


def _weighted(rng: random.Random, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _report_time(rng: random.Random, cal, channel: str, now: datetime, days: int) -> datetime:
    """A moment in the last `days` days: workdays busier than weekends, office hours for
    patrols, day and evening for the hotlines."""
    tz = timezone.get_current_timezone()
    today = timezone.localdate(now)
    while True:
        day = today - timedelta(days=rng.randrange(days + 1))
        if not cal.is_workday(day) and rng.random() < 0.55:
            continue
        if channel == Case.Channel.INSPECTOR and rng.random() < 0.92:
            start, end = rng.choice(OFFICE_HOURS)
        elif rng.random() < 0.8:
            start, end = 8.0, 20.0
        else:
            start, end = 6.0, 23.5
        hour = rng.uniform(start, end)
        at = datetime.combine(day, time(0), tz) + timedelta(hours=hour, seconds=rng.randrange(60))
        if at < now:
            return at


def _limit_hours(category: Category, clock: str, hours_per_day: float) -> tuple[float, bool]:
    """(amount in hours, counted on the clock rather than in working time)."""
    limit = category.limit(clock)
    amount = float(limit.amount)
    if limit.unit is LimitUnit.WORKING_DAYS:
        return amount * hours_per_day, False
    return amount, limit.unit is LimitUnit.CLOCK_HOURS


def _plan_steps(rng: random.Random, cal, plan: _Plan) -> None:
    """The intended journey of one case, each step at a believable later moment."""
    per_day = cal.working_hours_per_day
    outcome = plan.outcome
    stall = _weighted(rng, STALL_STAGES) if outcome == "stall" else None
    if stall == "verify" and plan.channel == Case.Channel.INSPECTOR:
        stall = "register"
    t = plan.at

    def later(hours: float, clock: bool = False) -> datetime:
        nonlocal t
        hours = max(hours, 0.05)
        t = t + timedelta(hours=hours) if clock else cal.add_working_time(t, hours=hours).at
        t += timedelta(seconds=rng.randrange(1, 90))
        return t

    def stage(clock: str) -> datetime:
        """Time taken for a stage with a limit: mostly well inside it, sometimes late,
        very late when the case stalls there (with a 督办 on the way, now and then)."""
        hours, on_clock = _limit_hours(plan.category, clock, per_day)
        if stall == clock:
            if rng.random() < 0.4:
                step(
                    later(hours * rng.uniform(1.1, 1.6), on_clock),
                    Action.SUPERVISE,
                    "shift_leader",
                    reason=rng.choice(REASONS["supervise"]),
                )
            share = math.exp(rng.uniform(math.log(3), math.log(1000)))
        elif rng.random() < LATE_SHARE:
            share = rng.uniform(1.05, 2.5)
        else:
            share = rng.triangular(0.08, 0.95, 0.35)
        return later(hours * share, on_clock)

    def step(at: datetime, action: Action, who: str, **args) -> None:
        plan.steps.append(_Step(at, action, who, args))

    if plan.channel != Case.Channel.INSPECTOR:
        if outcome == "void" and rng.random() < 0.5:
            step(
                later(rng.uniform(0.1, 1.0)),
                Action.VOID,
                "operator",
                reason=rng.choice(REASONS["void"]),
            )
            return
        step(stage("verify"), Action.VERIFY, "inspector")
    if outcome == "void":
        step(
            later(rng.uniform(0.1, 0.8)),
            Action.VOID,
            "operator",
            reason=rng.choice(REASONS["void"]),
        )
        return
    if outcome == "reject":
        step(stage("register"), Action.REJECT, "shift_leader", reason=rng.choice(REASONS["reject"]))
        return
    step(stage("register"), Action.REGISTER, "shift_leader")
    step(stage("dispatch"), Action.DISPATCH, "dispatcher", agency="suggested")
    handle_hours, handle_on_clock = _limit_hours(plan.category, "handle", per_day)
    if outcome == "return":
        step(
            later(handle_hours * rng.uniform(0.05, 0.3), handle_on_clock),
            Action.RETURN,
            "handler",
            reason=rng.choice(REASONS["return"]),
        )
        step(
            stage("dispatch"),
            Action.DISPATCH,
            "dispatcher",
            agency="other",
            reason=rng.choice(REASONS["redispatch"]),
        )
    elif outcome == "reassign":
        step(
            later(handle_hours * rng.uniform(0.05, 0.3), handle_on_clock),
            Action.REASSIGN,
            "dispatcher",
            agency="other",
            reason=rng.choice(REASONS["reassign"]),
        )
    elif outcome == "defer":
        step(
            later(handle_hours * rng.uniform(0.5, 1.5), handle_on_clock),
            Action.DEFER,
            "dispatcher",
            reason=rng.choice(REASONS["defer"]),
        )
        return
    elif outcome.startswith("extension"):
        extra = rng.choice((4, 8, 16, 24, 40))
        step(
            later(handle_hours * rng.uniform(0.3, 0.8), handle_on_clock),
            Action.REQUEST_EXTENSION,
            "handler",
            reason=rng.choice(REASONS["extension"]),
            hours=extra,
        )
        if outcome == "extension_open":
            return
        if outcome == "extension_refused":
            step(
                later(rng.uniform(0.2, 2)),
                Action.REFUSE_EXTENSION,
                "dispatcher",
                reason=rng.choice(REASONS["refuse"]),
            )
        else:
            step(later(rng.uniform(0.2, 2)), Action.APPROVE_EXTENSION, "dispatcher")
            later(extra * rng.uniform(0.2, 0.8))
    feedback = FEEDBACK.get(plan.category.major_code, ("已处置完毕，现场恢复正常",))
    step(stage("handle"), Action.HANDLE, "handler", feedback=rng.choice(feedback))
    if outcome.startswith("rework"):
        step(
            stage("check"), Action.CHECK_FAIL, "inspector", reason=rng.choice(REASONS["check_fail"])
        )
        if outcome == "rework_open":
            return
        step(stage("handle"), Action.HANDLE, "handler", feedback=rng.choice(feedback))
    step(stage("check"), Action.CHECK_PASS, "inspector")
    if stall == "close":
        step(later(math.exp(rng.uniform(math.log(8), math.log(800)))), Action.CLOSE, "shift_leader")
    else:
        step(later(rng.triangular(0.2, 12, 2)), Action.CLOSE, "shift_leader")


def _describe(rng: random.Random, plan: _Plan, roads: list[str], street: Region, unit: Region):
    """(description, address) in the words a patrol or a caller would use."""
    road = rng.choice(roads)
    others = [r for r in roads if r != road]
    if others and rng.random() < 0.35:
        corner = rng.choice(("东北角", "西北角", "东南角", "西南角", "附近"))
        spot = f"{road}与{rng.choice(others)}交叉口{corner}"
    elif rng.random() < 0.6:
        spot = f"{road}{rng.randrange(1, 300)}号{rng.choice(PLACES)}"
    else:
        spot = f"{road}{rng.choice(PLACES)}"
    category = plan.category
    if category.code in TEMPLATES:
        template = rng.choice(TEMPLATES[category.code])
    elif category.major_code <= "05":
        template = rng.choice(FACILITY_TEMPLATES)
    else:
        template = rng.choice(MATTER_TEMPLATES)
    text = template.format(
        addr=spot,
        n=rng.randrange(2, 9),
        name=category.name,
        thing=category.name.removesuffix("异常"),
        damage=rng.choice(DAMAGES),
    )
    prefix = rng.choice(CHANNEL_PREFIX[plan.channel])
    return prefix + text, f"{unit.short_name or unit.name}{street.name}{spot}"


def _roads(street: Region, unit_code: str) -> list[str]:
    roads = UNIT_ROADS.get(unit_code, "").split()
    name = street.name.removesuffix("街道")
    if name != street.name and name.endswith(("路", "街")):
        roads = [name, name, *roads]  # the street's own road, more often
    elif not roads or name.endswith(("镇", "乡")):
        stem = name.removesuffix("回族乡").removesuffix("乡").removesuffix("镇")
        roads = [f"{stem}大街", f"{stem}中心街", f"{stem}商业街", *roads[:3]]
    return roads


def _random_point(rng: random.Random, geometry) -> tuple[float, float]:
    x0, y0, x1, y1 = geometry.bounds
    for _ in range(200):
        x, y = rng.uniform(x0, x1), rng.uniform(y0, y1)
        if shapely.contains_xy(geometry, x, y):
            return x, y
    point = geometry.representative_point()
    return point.x, point.y


@contextmanager
def _demo_password_hashing():
    """Hash the demo accounts' (published) password with few PBKDF2 iterations: hundreds of
    handler accounts at full strength take minutes. Django re-hashes each at full strength
    on its first login ("password upgrading": `must_update` sees the lower count)."""
    hasher = get_hasher("default")
    if not isinstance(hasher, PBKDF2PasswordHasher):
        yield
        return
    own = "iterations" in vars(hasher)
    saved = hasher.iterations
    hasher.iterations = min(saved, 10_000)
    try:
        yield
    finally:
        if own:
            hasher.iterations = saved
        else:
            del hasher.iterations


class _Silent:
    """A notify backend that sends nothing (see `_no_outward_notices`)."""

    def send(self, recipient: str, text: str) -> None:
        pass


@contextmanager
def _no_outward_notices():
    """Demo history leaves its notices in the console inboxes but sends no SMS or WeCom
    message for them: the backend is swapped for `_Silent` while the cases are made."""
    conf = settings.CHENGGUAN
    saved = conf.get("NOTIFY_BACKEND")
    conf["NOTIFY_BACKEND"] = f"{__name__}._Silent"
    try:
        yield
    finally:
        conf["NOTIFY_BACKEND"] = saved


class _Cast:
    """The people who act on the demo cases; inspectors and handlers made on demand."""

    def __init__(self, units: dict[str, Region], agencies: dict[str, Agency]):
        self.units, self.agencies = units, agencies
        self.city = {name: User.objects.get(username=name) for name in CITY_STAFF}
        self.inspectors: dict[str, object] = {}
        self.handlers: dict[object, object] = {}
        self.created = 0
        local = User.objects.filter(username="inspector", region__code__isnull=False).first()
        if local is not None and local.region.kind in (Region.Kind.COUNTY, Region.Kind.ZONE):
            self.inspectors[local.region.code] = local

    def _user(self, username: str, role: str, full_name: str, region: Region, agency: Agency):
        from chengguan.demo.services import demo_password  # that module imports this one

        user = User.objects.filter(username=username).first()
        if user is None:
            with _demo_password_hashing():
                user = user_create(
                    username=username,
                    password=demo_password(),
                    roles=[role],
                    full_name=full_name,
                    region=region,
                    agency=agency,
                )
            self.created += 1
        return user

    def forget(self, inspectors: set, handlers: set, created: int) -> None:
        for key in set(self.inspectors) - inspectors:
            del self.inspectors[key]
        for key in set(self.handlers) - handlers:
            del self.handlers[key]
        self.created = created

    def inspector(self, unit_code: str):
        if unit_code not in self.inspectors:
            unit = self.units[unit_code]
            self.inspectors[unit_code] = self._user(
                f"inspector-{unit_code}",
                "inspector",
                f"{unit.short_name or unit.name}监督员",
                unit,
                self.agencies[f"{unit_code}-CGJ"],
            )
        return self.inspectors[unit_code]

    def handler(self, agency: Agency):
        if agency.pk not in self.handlers:
            self.handlers[agency.pk] = self._user(
                f"h-{agency.code}", "handler", f"{agency.name}处置员", agency.region, agency
            )
        return self.handlers[agency.pk]


def cases_ensure(*, count: int = 2000, seed: int = 2017, say=print, days: int = 30) -> int:
    """Make `count` demo cases over the last `days` days through the case services, then
    run the deadline sweep. Idempotent: does nothing if any case exists. Returns how many
    cases were made."""
    if Case.objects.exists():
        return 0
    if User.objects.filter(username__in=CITY_STAFF).count() < len(CITY_STAFF):
        say(f"演示案卷：缺少演示账号（{'、'.join(CITY_STAFF)}），跳过")
        return 0
    grids = list(
        Grid.objects.filter(population__gt=0).values_list(
            "pk", "region_code", "street_id", "population", "geometry_wkb"
        )
    )
    if not grids:
        return 0
    started, started_at = perf_counter(), timezone.now()
    rng = random.Random(seed)
    now = timezone.now()
    cal = work_calendar(fresh=True)
    matters = list(Category.objects.filter(kind=Category.Kind.MATTER, active=True))
    tail_weight = LONG_TAIL / max(sum(c.code not in CATEGORY_WEIGHTS for c in matters), 1)
    patrol_weights = {c: CATEGORY_WEIGHTS.get(c.code, tail_weight) for c in matters}
    citizen_weights = {c: w * CITIZEN_BOOST.get(c.code, 1) for c, w in patrol_weights.items()}
    population = [g[3] for g in grids]

    plans = []
    for _ in range(count):
        channel = _weighted(rng, CHANNEL_SHARES)
        weights = patrol_weights if channel == Case.Channel.INSPECTOR else citizen_weights
        at = _report_time(rng, cal, channel, now, days)
        age = (now - at).days
        stall = next(share for up_to, share in STALL_BY_AGE if age <= up_to)
        plan = _Plan(
            at=at,
            channel=channel,
            category=_weighted(rng, weights),
            grid=rng.choices(grids, weights=population)[0],
            outcome=_weighted(rng, OUTCOMES | {"stall": OUTCOMES["stall"] * stall}),
        )
        _plan_steps(rng, cal, plan)
        plans.append(plan)
    plans.sort(key=lambda p: p.at)  # case numbers follow the reporting order

    player = _Player(rng, now)
    with _no_outward_notices():
        for first in range(0, len(plans), 250):  # one transaction per batch: fast on SQLite
            with transaction.atomic():
                for plan in plans[first : first + 250]:
                    player.play(plan)
        sweep(now=now)
    # The history's events are relayed already, as far as the world outside knows: the first
    # tick must not text demo reporters about closures weeks ago or call partners back.
    OutboxEvent.objects.filter(delivered_at__isnull=True, created_at__gte=started_at).update(
        delivered_at=timezone.now()
    )
    by_status = Case.objects.values_list("status").annotate(n=Count("id")).order_by("-n")
    labels = "，".join(f"{STATUS_LABELS[Status(s)]} {n}" for s, n in by_status)
    say(
        f"演示案卷：{player.made} 件（{labels}；其中超时 "
        f"{Case.objects.filter(overdue=True).count()}），新建账号 {player.cast.created} 个"
        f"（inspector-县区代码、h-机构代码），用时 {perf_counter() - started:.0f} 秒"
        + (f"；{player.failed} 件未能生成（{player.first_error}）" if player.failed else "")
    )
    return player.made


class _Player:
    """Takes each planned case through the services, each case in its own savepoint."""

    def __init__(self, rng: random.Random, now: datetime):
        self.rng, self.now = rng, now
        self.regions = {r.pk: r for r in Region.objects.all()}
        self.units = {r.code: r for r in self.regions.values() if r.county_level}
        self.agencies = {a.code: a for a in Agency.objects.select_related("region")}
        self.agencies_by_pk = {a.pk: a for a in self.agencies.values()}
        self.cast = _Cast(self.units, self.agencies)
        self.geometries: dict = {}
        self.made = self.failed = 0
        self.first_error = ""

    def play(self, plan: _Plan) -> None:
        grid_pk, unit_code, street_id, _population, wkb = plan.grid
        if grid_pk not in self.geometries:
            self.geometries[grid_pk] = shapely.from_wkb(bytes(wkb))
        street, unit = self.regions[street_id], self.units[unit_code]
        lon, lat = _random_point(self.rng, self.geometries[grid_pk])
        description, address = _describe(self.rng, plan, _roads(street, unit_code), street, unit)
        known = set(self.cast.inspectors), set(self.cast.handlers), self.cast.created
        try:
            with transaction.atomic():
                self._journey(plan, lon, lat, description, address)
            self.made += 1
        except Exception as error:  # a case the services refuse is left out, and reported
            self.failed += 1
            self.first_error = self.first_error or f"{type(error).__name__}: {error}"
            self.cast.forget(*known)  # accounts made in the rolled-back savepoint

    def _journey(self, plan: _Plan, lon: float, lat: float, description: str, address: str):
        cast = self.cast
        reporter = (
            cast.inspector(plan.grid[1])
            if plan.channel == Case.Channel.INSPECTOR
            else cast.city["operator"]
        )
        case = case_report(
            actor=reporter,
            category=plan.category,
            lon=lon,
            lat=lat,
            description=description,
            channel=plan.channel,
            address=address,
            at=plan.at,
            contact=None if plan.channel == Case.Channel.INSPECTOR else self._caller(),
        )
        for step in plan.steps:
            if step.at > self.now:
                break
            args = dict(step.args)
            target = args.pop("agency", None)
            if target == "suggested":
                args["agency_id"] = (case.suggested_agency or self._fallback(case)).pk
                if case.suggested_agency_id is None:
                    args["reason"] = "责任划分无匹配，按属地和专业派遣"
            elif target == "other":
                args["agency_id"] = self._other(case).pk
            if step.who == "inspector":
                actor = cast.inspector(case.region_code)
            elif step.who == "handler":
                actor = cast.handler(self.agencies_by_pk[case.agency_id])
            else:
                actor = cast.city[step.who]
            case = case_act(
                case_id=case.pk,
                action=step.action,
                actor=actor,
                expected_version=case.version,
                at=step.at,
                **args,
            )

    def _caller(self) -> Contact:
        """A made-up caller: a family name and a fictitious mobile number (138/139 0000 xxxx),
        so the demo shows masking without anyone's real number. Some callers leave none."""
        if self.rng.random() < 0.2:
            return Contact()
        name = self.rng.choice("王李张刘陈杨赵黄周吴") + self.rng.choice(("先生", "女士"))
        return Contact(name, f"13{self.rng.choice('89')}0000{self.rng.randrange(10_000):04d}")

    def _fallback(self, case: Case) -> Agency:
        """Where a case goes when the matrix suggests nobody: the unit's department for its
        class, the street brigade for order and construction, else the street office."""
        major = case.category.major_code
        if major in UNIT_DEPARTMENT:
            return self.agencies[f"{case.region_code}-{UNIT_DEPARTMENT[major]}"]
        if major in STREET_BRIGADE_MAJORS:
            return self.agencies[f"{case.street_code}-DD"]
        return self.agencies[f"{case.street_code}-JD"]

    def _other(self, case: Case) -> Agency:
        """Where a returned or reassigned case goes next: the street office (属地管理)."""
        office = self.agencies[f"{case.street_code}-JD"]
        if office.pk != case.agency_id:
            return office
        return self.agencies[f"{case.region_code}-DEPT-SAN"]
