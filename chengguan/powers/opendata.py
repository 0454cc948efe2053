"""The open-data shape of the power list (JSON and CSV), and its documented field list.

Labels are always the Chinese ones, whatever the visitor's language, so one cached file
serves everybody and a re-user's parser never meets a translated value.
"""

from django.utils import translation

from chengguan.powers.models import DiscretionBenchmark, Power, PowerHolder

PENALTY_STANDARD_PENDING = "裁量基准待发布"

# (field, meaning): the JSON keys of a power, and the CSV columns in this order.
FIELDS = (
    ("code", "事项编码"),
    ("name", "事项名称"),
    ("domain", "领域"),
    ("status", "状态代码：in_force 在用，deferred 暂缓划转"),
    ("status_label", "状态"),
    ("deferred_until", "暂缓至（YYYY-MM-DD，可为空）"),
    ("deferred_condition", "暂缓条件"),
    ("functions", "职权内容"),
    ("legal_basis_prohibition", "法律依据（禁止性条款）"),
    ("legal_basis_penalty", "法律依据（处罚条款）"),
    ("statutory_range", "法定处罚幅度"),
    (
        "penalty_standard",
        "处罚标准（裁量基准）：各等次“等次：情形；罚款幅度；其他处理（来源）”，以“ | ”分隔；"
        "未发布的为“裁量基准待发布”",
    ),
    ("transferred_from", "划转自"),
    ("process", "办理流程（CSV 中步骤以“ → ”分隔；JSON 中为列表）"),
    ("supervision", "监督渠道"),
    ("accountability", "责任追究"),
    ("basis_source", "依据来源（数据文件行号，或“依据法规文本整理，待法制机构核对”）"),
    ("holders", "现行使主体（CSV：区域代码 主体名称（方式）；JSON：全部期间，见 holder_fields）"),
)
# JSON only: the CSV carries the same tiers as the readable `penalty_standard`.
JSON_FIELDS = (("benchmarks", "裁量基准各等次（列表，见 benchmark_fields；未发布的为空列表）"),)
BENCHMARK_FIELDS = (
    ("tier", "等次代码：no_penalty 不予处罚，minor 轻微，ordinary 一般，serious 严重"),
    ("tier_label", "等次"),
    ("condition", "情形（公布原文）"),
    (
        "quantities",
        "量化条件：[{measure 计量项, above 下限（不含）, up_to 上限（含）}]，任一项符合即可；"
        "定性情形为空列表",
    ),
    ("fine_min", "罚款下限（元，字符串；无罚款为 null）"),
    ("fine_max", "罚款上限（元，字符串；无罚款为 null）"),
    ("fine_range", "罚款幅度"),
    ("other_sanction", "其他处理"),
    ("source", "来源（数据文件的 source_id 及公布机关）"),
)
HOLDER_FIELDS = (
    ("territory_code", "行使区域代码（县级单位或市）"),
    ("territory_name", "行使区域"),
    ("agency_code", "行使主体代码"),
    ("agency_name", "行使主体"),
    ("mode", "行使方式代码：own 自有，authorised 授权，entrusted 委托"),
    ("mode_label", "行使方式"),
    ("valid_from", "起始日期"),
    ("valid_to", "终止日期（不含当日；为空表示现行）"),
)


def _holder(holder: PowerHolder, names: dict[str, str]) -> dict:
    return {
        "territory_code": holder.territory_code,
        "territory_name": names.get(holder.territory_code, ""),
        "agency_code": holder.agency.code,
        "agency_name": holder.agency.name,
        "mode": holder.mode,
        "mode_label": str(holder.get_mode_display()),
        "valid_from": holder.valid_from.isoformat(),
        "valid_to": holder.valid_to.isoformat() if holder.valid_to else None,
    }


def _benchmark(benchmark: DiscretionBenchmark) -> dict:
    return {
        "tier": benchmark.tier,
        "tier_label": str(benchmark.get_tier_display()),
        "condition": benchmark.condition,
        "quantities": benchmark.quantities,
        "fine_min": None if benchmark.fine_min is None else str(benchmark.fine_min),
        "fine_max": None if benchmark.fine_max is None else str(benchmark.fine_max),
        "fine_range": benchmark.fine_range,
        "other_sanction": benchmark.other_sanction,
        "source": benchmark.source,
    }


def _penalty_standard(benchmarks: list[DiscretionBenchmark]) -> str:
    if not benchmarks:
        return PENALTY_STANDARD_PENDING
    return " | ".join(
        f"{b.get_tier_display()}：{b.condition}；{b.fine_range}"
        + (f"；{b.other_sanction}" if b.other_sanction else "")
        + f"（{b.source}）"
        for b in benchmarks
    )


def _power(power: Power) -> dict:
    return {
        "code": power.code,
        "name": power.name,
        "domain": power.domain,
        "status": power.status,
        "status_label": str(power.get_status_display()),
        "deferred_until": power.deferred_until.isoformat() if power.deferred_until else None,
        "deferred_condition": power.deferred_condition,
        "functions": power.functions,
        "legal_basis_prohibition": power.legal_basis_prohibition,
        "legal_basis_penalty": power.legal_basis_penalty,
        "statutory_range": power.statutory_range,
        "penalty_standard": _penalty_standard(list(power.benchmarks.all())),
        "transferred_from": power.transferred_from,
        "process": power.steps,
        "supervision": power.supervision,
        "accountability": power.accountability,
        "basis_source": power.basis_source,
    }


def powers_document(powers, names: dict[str, str]) -> dict:
    """The JSON document: field lists first, so the file describes itself."""
    with translation.override("zh-hans"):
        return {
            "title": "城市管理综合执法权责清单",
            "fields": dict(FIELDS + JSON_FIELDS),
            "benchmark_fields": dict(BENCHMARK_FIELDS),
            "holder_fields": dict(HOLDER_FIELDS),
            "powers": [
                {
                    **_power(p),
                    "benchmarks": [_benchmark(b) for b in p.benchmarks.all()],
                    "holders": [_holder(h, names) for h in p.holders.all()],
                }
                for p in powers
            ],
        }


def powers_rows(powers, names: dict[str, str]) -> list[list[str]]:
    """The CSV rows, header first; `holders` lists the current holders only."""
    rows = [[name for name, _meaning in FIELDS]]
    with translation.override("zh-hans"):
        for power in powers:
            record = _power(power)
            record["process"] = " → ".join(power.steps)
            record["holders"] = "；".join(
                f"{h.territory_code} {h.agency.name}（{h.get_mode_display()}）"
                for h in power.holders.all()
                if h.valid_to is None
            )
            rows.append([record[name] or "" for name, _meaning in FIELDS])
    return rows
