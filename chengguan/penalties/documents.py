"""Issuing a document (文书): its number, its content from the case file, the PDF, and
the PDF's SHA-256 in the ledger.

Runs inside the caller's transaction (a step and its document commit together). The
number counts per agency, kind and year under a row lock, so two officers never get the
same 文号; the PDF is stored under its hash and never rewritten, so the file served later
is byte for byte the one whose hash the ledger holds.
"""

import hashlib
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db.models import F

from chengguan.core.errors import DomainError, gettext_noop
from chengguan.core.personal import personal_decrypt
from chengguan.core.selectors import work_calendar
from chengguan.core.services import ledger_append
from chengguan.org.models import Region
from chengguan.penalties import pdf
from chengguan.penalties.domain import procedure
from chengguan.penalties.domain.numbers import document_number, unit_short
from chengguan.penalties.domain.periods import local_date
from chengguan.penalties.models import Document, DocumentCounter, PenaltyCase

FOLDER = "penalties/documents"

PENALTY_LABELS = {
    procedure.PenaltyKind.WARNING: "警告",
    procedure.PenaltyKind.CRITICISM: "通报批评",
    procedure.PenaltyKind.FINE: "罚款",
    procedure.PenaltyKind.CONFISCATE_GAINS: "没收违法所得",
    procedure.PenaltyKind.CONFISCATE_PROPERTY: "没收非法财物",
    procedure.PenaltyKind.SUSPEND_LICENCE: "暂扣许可证件",
    procedure.PenaltyKind.DEMOTE_QUALIFICATION: "降低资质等级",
    procedure.PenaltyKind.REVOKE_LICENCE: "吊销许可证件",
    procedure.PenaltyKind.RESTRICT_BUSINESS: "限制开展生产经营活动",
    procedure.PenaltyKind.SUSPEND_BUSINESS: "责令停产停业",
    procedure.PenaltyKind.CLOSE: "责令关闭",
    procedure.PenaltyKind.RESTRICT_PRACTICE: "限制从业",
}
SERVICE_LABELS = {
    "direct": "直接送达",
    "left": "留置送达",
    "post": "邮寄送达",
    "electronic": "电子送达",
    "public": "公告送达",
}


def penalty_text(penalties: list[dict]) -> str:
    """ "罚款人民币伍佰元整（¥500.00）；警告" as documents write it."""
    parts = []
    for item in penalties:
        kind = procedure.PenaltyKind(item["kind"])
        label = PENALTY_LABELS[kind]
        if item.get("amount") is not None:
            amount = Decimal(item["amount"])
            label += f"人民币{pdf.yuan_upper(amount)}（¥{amount:.2f}）"
        parts.append(label)
    return "；".join(parts)


def _date(value: datetime | date | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = local_date(value, work_calendar())
    return f"{value.year}年{value.month}月{value.day}日"


def _issuer(case: PenaltyCase) -> str:
    agency = case.agency
    return agency.also_named or agency.name


def _unit(case: PenaltyCase) -> str:
    name = Region.objects.filter(code=case.region_code).values_list("name", flat=True).first()
    return unit_short(name or "")


def _party_id(case: PenaltyCase) -> str:
    return personal_decrypt(case.party_id_cipher) if case.party_id_cipher else ""


def _remedies(case: PenaltyCase) -> str:
    region = Region.objects.filter(code=case.region_code).values_list("name", flat=True).first()
    government = f"{region or '郑州市'}人民政府"
    return (
        f"如不服本决定，可以在收到本决定书之日起六十日内向{government}申请行政复议，"
        "或者在六个月内依法向有管辖权的人民法院提起行政诉讼。"
        "行政复议和行政诉讼期间，本决定不停止执行（法律另有规定的除外）。"
    )


def _fields(case: PenaltyCase, kind: str, extra: dict[str, Any]) -> dict[str, Any]:
    """What the document states, all from the case file (display-ready text)."""
    calendar = work_calendar()
    evidence = [
        f"{e.get_kind_display()}：{e.title}" for e in case.evidence.order_by("collected_at")
    ]
    investigators = [
        f"{i.person.name}（执法证号 {i.certificate_number}）"
        for i in case.investigators.select_related("person")
    ]
    bank = settings.CHENGGUAN["PAYMENT_BANK_NAME"], settings.CHENGGUAN["PAYMENT_BANK_ACCOUNT"]
    fields: dict[str, Any] = {
        "agency_name": _issuer(case),
        "case_number": case.number,
        "party_name": case.party_name,
        "party_kind_label": case.get_party_kind_display(),
        "party_id": _party_id(case),
        "party_address": case.party_address,
        "power_name": case.power.name,
        "place": case.place,
        "occurred_on": _date(case.occurred_on),
        "facts": case.facts,
        "evidence": evidence,
        "basis_prohibition": case.power.legal_basis_prohibition,
        "basis_penalty": case.power.legal_basis_penalty,
    }
    if kind == "register":
        fields |= {
            "source": case.source,
            "registrant_opinion": "该行为涉嫌违法，符合立案条件，建议立案调查。",
            "investigators": investigators,
            "approved_at": _date(case.registered_at),
        }
    elif kind == "notice":
        due = _date(procedure.hearing_request_due(case.notified_at, calendar))
        fields |= {
            "proposed_penalty": penalty_text(case.penalties),
            "statement_due": due,
            "hearing_right": case.hearing_right,
            "hearing_due": due,
        }
        if case.proposed_tier:
            fields["discretion"] = case.proposed_tier
    elif kind == "hearing_notice":
        fields |= {
            "hearing_at": _date(case.hearing_on),
            "hearing_place": case.hearing_place,
            "chair": str(case.hearing_chair),
            "public": case.hearing_public,
        }
    elif kind == "decision":
        fields |= {
            "penalty": penalty_text(case.penalties),
            "performance": (
                "自收到本决定书之日起十五日内，持缴款通知书到指定银行或者通过电子支付系统缴纳罚款。"
                if case.fine
                else "本决定书送达之日起生效。"
            ),
            "remedies": _remedies(case),
        }
        if case.fine and case.payment_reference:
            fields |= {
                "bank_name": bank[0],
                "bank_account": bank[1],
                "payment_reference": case.payment_reference,
            }
    elif kind == "payment_notice":
        fields |= {
            "amount": f"{case.fine:.2f}",
            "amount_upper": pdf.yuan_upper(case.fine),
            "payment_reference": case.payment_reference,
            "bank_name": bank[0],
            "bank_account": bank[1],
            "payment_due": "自收到行政处罚决定书之日起十五日内",
        }
    elif kind == "service_receipt":
        decision = case.documents.filter(kind="decision").order_by("-issued_at").first()
        fields |= {
            "served_document": f"行政处罚决定书 {decision.number}" if decision else "",
            "method": SERVICE_LABELS.get(extra.get("method", ""), ""),
            "served_at": _date(extra.get("served_at")),
            "served_place": case.party_address or case.place,
            "recipient": extra.get("recipient", ""),
            "server": "、".join(i.person.name for i in case.investigators.select_related("person")),
        }
    return fields | {k: v for k, v in extra.items() if k not in ("method", "served_at")}


def document_issue(
    *, case: PenaltyCase, kind: str, actor: Any, at: datetime, extra: dict | None = None
) -> Document:
    """Number, render, store and ledger one document of `case`."""
    title, word = pdf.KINDS[kind]
    year = local_date(at, work_calendar()).year
    counter, _ = DocumentCounter.objects.select_for_update().get_or_create(
        agency=case.agency, kind=kind, year=year
    )
    DocumentCounter.objects.filter(pk=counter.pk).update(last=F("last") + 1)
    counter.refresh_from_db()
    number = document_number(unit=_unit(case), word=word, year=year, serial=counter.last)
    fields = _fields(case, kind, extra or {})
    fields |= {"number": number, "issued_on": local_date(at, work_calendar())}
    if kind == "decision":
        missing = procedure.missing_decision_items(
            {
                "party": fields["party_name"],
                "address": fields["party_address"] or fields["place"],
                "facts_and_evidence": fields["facts"],
                "kind_and_basis": fields["penalty"] and fields["basis_penalty"],
                "performance": fields["performance"],
                "remedies": fields["remedies"],
                "agency": fields["agency_name"],
                "date": fields["issued_on"],
                "seal": True,
            }
        )
        if missing:
            raise DomainError(
                gettext_noop("决定书缺少法定载明事项：%(items)s"),
                items="、".join(procedure.DECISION_ITEMS[m] for m in missing),
            )
    data = pdf.document_render(kind, fields)
    digest = hashlib.sha256(data).hexdigest()
    name = f"{FOLDER}/{digest}.pdf"
    if not default_storage.exists(name):
        name = default_storage.save(name, ContentFile(data))
    document = Document.objects.create(
        case=case,
        kind=kind,
        title=title,
        agency=case.agency,
        year=year,
        serial=counter.last,
        number=number,
        file=name,
        sha256=digest,
        issued_at=at,
        issued_by=actor,
    )
    ledger_append(
        kind="penalty.document_issued",
        subject=document,
        actor=actor,
        data={"case": case.number, "kind": kind, "number": number, "sha256": digest},
    )
    return document
