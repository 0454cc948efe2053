"""Penalty cases through the services, on the database: each legal gate refuses what the
law forbids (and each test fails if its gate is removed), the full ordinary and summary
procedures reach the archive, and every document and evidence file is provable."""

import io
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.files.storage import default_storage
from PIL import Image

from chengguan.core.errors import DomainError, Forbidden, NotFound
from chengguan.core.models import LedgerEntry
from chengguan.core.services import ledger_verify
from chengguan.org.models import Agency
from chengguan.penalties import collection, services, steps, summary
from chengguan.penalties.domain.procedure import Penalty, PenaltyKind
from chengguan.penalties.models import Document, Evidence, PenaltyCase, Publication, Reviewer
from chengguan.penalties.selectors import ledgered_files_check, penalty_limits
from chengguan.powers.models import Power
from chengguan.workforce.services import assessment_add, certificate_add, person_create
from chengguan.workforce.tests.test_id_number import valid_id

TZ = ZoneInfo("Asia/Shanghai")
# Monday 2 November 2026, 09:30 in Zhengzhou: a working day.
T0 = datetime(2026, 11, 2, 9, 30, tzinfo=TZ)
serials = iter(range(100, 999))


def _person(agency, *, user=None, kind="officer", certified=True, name="李办案"):
    serial = next(serials)
    person = person_create(
        kind=kind,
        name=name,
        id_number=valid_id(f"41010519850101{serial:03d}"),
        agency=agency,
        user=user,
    )
    if certified and kind == "officer":
        certificate_add(
            person=person,
            number=f"豫410105-T{serial}",
            issued_on=date(2024, 1, 1),
            expires_on=date(2029, 12, 31),
        )
        assessment_add(person=person, year=2025, result="competent")
    return person


@pytest.fixture
def brigade():
    return Agency.objects.get(code="410105-ZD")


@pytest.fixture
def enforcer(user_factory, brigade):
    user = user_factory("officer", region="410105", agency=brigade)
    _person(brigade, user=user, name="陈执法")
    return user


@pytest.fixture
def partner(brigade):
    return _person(brigade, name="王协同")


@pytest.fixture
def legal(user_factory):
    user = user_factory(
        "legal_reviewer", region="410105", agency=Agency.objects.get(code="410105-CGJ")
    )
    Reviewer.objects.create(user=user, reviewing_since=date(2019, 1, 1), legal_qualification=True)
    return user


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


def _register(enforcer, partner, *, power="ZF-JS-008", at=T0, party_kind="person", **changes):
    fields = {
        "actor": enforcer,
        "power_id": Power.objects.get(code=power).pk,
        "party": steps.Party(
            kind=party_kind,
            name="王小明" if party_kind == "person" else "郑州某某商贸有限公司",
            id_number=valid_id("41010519900101123") if party_kind == "person" else "",
            address="金水区花园路1号",
            phone="13812345678",
        ),
        "place": "金水区花园路与农业路交叉口",
        "occurred_on": date(2026, 10, 30),
        "discovered_on": date(2026, 10, 30),
        "facts": "当事人在路灯杆上设置广告牌 6 处",
        "source": "巡查发现",
        "co_investigator_ids": [partner.pk] if partner else [],
        "measured": {"处数": "6"},
        "at": at,
    }
    return services.penalty_register(**(fields | changes))


def _evidence(enforcer, case, *, at=None, preserved=False):
    return services.evidence_add(
        actor=enforcer,
        case_id=case.pk,
        kind="audio_visual",
        title="现场照片",
        data=_png(),
        filename="scene.png",
        preserved=preserved,
        at=at or T0 + timedelta(hours=1),
    )


def _to_notice(enforcer, partner, fine="6000", reason="", **register):
    case = _register(enforcer, partner, **register)
    _evidence(enforcer, case)
    return services.penalty_notify(
        actor=enforcer,
        case_id=case.pk,
        penalties=[Penalty(PenaltyKind.FINE, Decimal(fine))],
        departure_reason=reason,
        at=T0 + timedelta(hours=2),
    )


# -- registration and investigation (Arts. 36, 42, 54) ------------------------------------


def test_registration_needs_a_second_certified_officer(enforcer, brigade):
    with pytest.raises(DomainError, match="两名以上"):
        _register(enforcer, None, co_investigator_ids=[])
    uncertified = _person(brigade, certified=False)
    with pytest.raises(Forbidden, match="没有在有效期内"):
        _register(enforcer, uncertified)
    auxiliary = _person(brigade, kind="auxiliary")
    with pytest.raises(Forbidden, match="协管员"):
        _register(enforcer, auxiliary)
    assert not PenaltyCase.objects.exists()


def test_an_uncertified_user_cannot_register(user_factory, brigade, partner):
    stranger = user_factory("officer", region="410105", agency=brigade)
    with pytest.raises(Forbidden, match="不在执法队伍"):
        _register(stranger, partner)


def test_an_act_older_than_two_years_is_not_penalised(enforcer, partner):
    with pytest.raises(DomainError, match="二年内未被发现"):
        _register(
            enforcer, partner, occurred_on=date(2024, 10, 29), discovered_on=date(2026, 10, 30)
        )
    assert _register(
        enforcer, partner, occurred_on=date(2024, 10, 30), discovered_on=date(2026, 10, 30)
    )


def test_a_deferred_power_cannot_be_used(enforcer, partner):
    with pytest.raises(DomainError, match="暂缓划转"):
        _register(enforcer, partner, power="ZF-JT-002")


def test_registration_issues_a_numbered_register_form_in_the_ledger(enforcer, partner):
    case = _register(enforcer, partner)
    assert case.status == "investigating"
    assert case.agency.code == "410105-CGJ"  # the power's holder decides, in its own name
    assert case.investigators.count() == 2
    assert case.party_id_masked.startswith("410105") and "*" in case.party_id_masked
    assert case.party_phone_masked == "138****5678"
    document = case.documents.get()
    assert document.number == "郑金水城综立字〔2026〕第1号"
    assert default_storage.open(document.file).read(5) == b"%PDF-"
    entry = LedgerEntry.objects.get(kind="penalty.document_issued", subject_id=str(document.pk))
    assert document.sha256 in entry.payload
    second = _register(enforcer, partner)
    assert second.documents.get().number == "郑金水城综立字〔2026〕第2号"


def test_evidence_is_hashed_on_arrival_and_checked_by_content(enforcer, partner):
    case = _register(enforcer, partner)
    evidence = _evidence(enforcer, case)
    assert len(evidence.sha256) == 64
    assert default_storage.open(evidence.file).read() == _png()
    with pytest.raises(DomainError, match="格式不支持"):
        services.evidence_add(
            actor=enforcer,
            case_id=case.pk,
            kind="documentary",
            title="x",
            data=b"MZ\x90\x00evil",
            filename="a.pdf",
        )
    assert case.evidence.count() == 1


def test_preserved_evidence_must_be_dealt_with_in_7_working_days(enforcer, partner):
    case = _register(enforcer, partner)
    evidence = _evidence(enforcer, case, preserved=True, at=T0)
    # 7 working days from Monday 2 Nov end on Wednesday 11 Nov; the 12th is too late.
    with pytest.raises(DomainError, match="七个工作日"):
        services.evidence_preservation_decide(
            actor=enforcer,
            evidence_id=evidence.pk,
            decision="解除保存",
            at=datetime(2026, 11, 12, 10, tzinfo=TZ),
        )
    services.evidence_preservation_decide(
        actor=enforcer,
        evidence_id=evidence.pk,
        decision="解除保存",
        at=datetime(2026, 11, 11, 10, tzinfo=TZ),
    )


def test_another_districts_officer_cannot_see_or_act(enforcer, partner, user_factory):
    case = _register(enforcer, partner)
    other_agency = Agency.objects.get(code="410103-ZD")
    outsider = user_factory("officer", region="410103", agency=other_agency)
    _person(other_agency, user=outsider)
    with pytest.raises(NotFound):
        _evidence(outsider, case)


# -- notice, discretion, hearing (Arts. 44, 62-65; Henan hearing thresholds) ---------------


def test_notice_needs_evidence(enforcer, partner):
    case = _register(enforcer, partner)
    with pytest.raises(DomainError, match="尚未登记任何证据"):
        services.penalty_notify(
            actor=enforcer, case_id=case.pk, penalties=[Penalty(PenaltyKind.WARNING)]
        )


def test_a_fine_outside_the_benchmark_needs_a_reason_and_then_review(enforcer, partner, legal):
    # 6 处 is the 一般 tier (5,000–10,000) of ZF-JS-008.
    with pytest.raises(DomainError, match="须书面说明理由"):
        _to_notice(enforcer, partner, fine="12000")
    case = _to_notice(enforcer, partner, fine="12000", reason="多次违法，拒不改正")
    assert case.proposed_tier == "ordinary"
    assert "benchmark_departed" in case.review_grounds
    services.statement_record(actor=enforcer, case_id=case.pk, waived=True)
    with pytest.raises(DomainError):
        services.penalty_decide(actor=enforcer, case_id=case.pk)
    case.refresh_from_db()
    assert case.status == "notified"


def test_a_fine_inside_the_range_needs_no_review(enforcer, partner):
    case = _to_notice(enforcer, partner, fine="6000")
    assert case.review_grounds == [] and case.hearing_right  # ≥ 5,000 for a person
    services.statement_record(actor=enforcer, case_id=case.pk, statement="我已拆除")
    case = services.penalty_decide(actor=enforcer, case_id=case.pk, at=T0 + timedelta(days=1))
    assert case.status == "decided" and case.payment_reference


def test_no_decision_without_hearing_the_party(enforcer, partner):
    case = _to_notice(enforcer, partner)
    with pytest.raises(DomainError, match="陈述、申辩"):
        services.penalty_decide(actor=enforcer, case_id=case.pk)


def test_hearing_right_follows_the_henan_thresholds(enforcer, partner):
    small = _to_notice(
        enforcer, partner, fine="4999.99", reason="", measured={"处数": "2"}, power="ZF-JS-008"
    )
    assert small.hearing_right is False
    with pytest.raises(DomainError, match="不在听证范围"):
        services.hearing_request(actor=enforcer, case_id=small.pk)
    company = _to_notice(enforcer, partner, fine="6000", party_kind="organisation")
    assert company.hearing_right is False  # organisations from 50,000


def test_hearing_request_and_notice_periods(enforcer, partner, legal):
    case = _to_notice(enforcer, partner)
    # Notified Monday 2 Nov: 5 working days end on Monday 9 Nov.
    with pytest.raises(DomainError, match="五个工作日"):
        services.hearing_request(
            actor=enforcer, case_id=case.pk, requested_at=datetime(2026, 11, 10, 9, tzinfo=TZ)
        )
    services.hearing_request(
        actor=enforcer, case_id=case.pk, requested_at=datetime(2026, 11, 9, 16, tzinfo=TZ)
    )
    with pytest.raises(DomainError, match="不能执行“作出处罚决定”"):
        services.penalty_decide(actor=enforcer, case_id=case.pk)
    notice_at = datetime(2026, 11, 10, 10, tzinfo=TZ)
    # Seven whole working days must lie between the notice and the hearing.
    with pytest.raises(DomainError, match="七个工作日前"):
        services.hearing_schedule(
            actor=enforcer,
            case_id=case.pk,
            hearing_on=date(2026, 11, 19),
            place="三楼听证室",
            chair_id=legal.pk,
            at=notice_at,
        )
    with pytest.raises(Forbidden, match="不得是本案调查人员"):
        services.hearing_schedule(
            actor=enforcer,
            case_id=case.pk,
            hearing_on=date(2026, 11, 20),
            place="三楼听证室",
            chair_id=enforcer.pk,
            at=notice_at,
        )
    services.hearing_schedule(
        actor=enforcer,
        case_id=case.pk,
        hearing_on=date(2026, 11, 20),
        place="三楼听证室",
        chair_id=legal.pk,
        at=notice_at,
    )
    assert case.documents.filter(kind="hearing_notice").exists()
    with pytest.raises(DomainError, match="签字"):
        services.hearing_conclude(
            actor=enforcer,
            case_id=case.pk,
            held=True,
            outcome="已听证",
            at=datetime(2026, 11, 20, 16, tzinfo=TZ),
        )
    case = services.hearing_conclude(
        actor=enforcer,
        case_id=case.pk,
        held=True,
        outcome="当事人申辩已拆除",
        party_signed=True,
        at=datetime(2026, 11, 20, 16, tzinfo=TZ),
    )
    # A hearing on a major right makes legal review mandatory (Art. 58(2)).
    assert case.status == "notified" and "major_rights_heard" in case.review_grounds


def test_absence_without_reason_waives_the_hearing(enforcer, partner, legal):
    case = _to_notice(enforcer, partner)
    services.hearing_request(actor=enforcer, case_id=case.pk, requested_at=T0 + timedelta(days=1))
    services.hearing_schedule(
        actor=enforcer,
        case_id=case.pk,
        hearing_on=date(2026, 11, 20),
        place="听证室",
        chair_id=legal.pk,
        at=T0 + timedelta(days=1),
    )
    with pytest.raises(DomainError, match="正当理由"):
        services.hearing_conclude(
            actor=enforcer, case_id=case.pk, held=False, good_reason_for_absence=True
        )
    case = services.hearing_conclude(actor=enforcer, case_id=case.pk, held=False)
    assert case.hearing_outcome == "waived" and case.status == "notified"


# -- legal review (Art. 58) --------------------------------------------------------------


def _reviewing(enforcer, partner):
    case = _to_notice(enforcer, partner, fine="12000", reason="拒不改正")
    services.statement_record(actor=enforcer, case_id=case.pk, waived=True)
    return services.review_submit(actor=enforcer, case_id=case.pk)


def test_reviewer_must_not_have_investigated(enforcer, partner, legal, user_factory, brigade):
    case = _reviewing(enforcer, partner)
    investigator_reviewer = user_factory("legal_reviewer", region="410105", agency=brigade)
    partner.user = investigator_reviewer
    partner.save(update_fields=["user"])
    Reviewer.objects.create(
        user=investigator_reviewer, reviewing_since=date(2019, 1, 1), legal_qualification=True
    )
    with pytest.raises(Forbidden, match="不得是本案调查人员"):
        services.penalty_review(
            actor=investigator_reviewer, case_id=case.pk, passed=True, opinion="同意"
        )


def test_a_new_reviewer_needs_the_legal_qualification(enforcer, partner, user_factory):
    case = _reviewing(enforcer, partner)
    novice = user_factory(
        "legal_reviewer", region="410105", agency=Agency.objects.get(code="410105-CGJ")
    )
    Reviewer.objects.create(
        user=novice, reviewing_since=date(2022, 1, 1), legal_qualification=False
    )
    with pytest.raises(Forbidden, match="法律职业资格"):
        services.penalty_review(actor=novice, case_id=case.pk, passed=True, opinion="同意")


def test_review_sent_back_reopens_the_investigation(enforcer, partner, legal):
    case = _reviewing(enforcer, partner)
    case = services.penalty_review(
        actor=legal, case_id=case.pk, passed=False, opinion="证据不足，补充询问笔录"
    )
    assert case.status == "investigating" and case.notified_at is None


def test_complex_cases_need_collective_deliberation(enforcer, partner, legal):
    case = _to_notice(enforcer, partner, complex_case=True)
    services.statement_record(actor=enforcer, case_id=case.pk, waived=True)
    services.review_submit(actor=enforcer, case_id=case.pk)
    services.penalty_review(actor=legal, case_id=case.pk, passed=True, opinion="事实清楚")
    with pytest.raises(DomainError, match="集体讨论"):
        services.penalty_decide(actor=enforcer, case_id=case.pk)
    services.penalty_deliberate(actor=enforcer, case_id=case.pk, minutes="局务会议讨论同意")
    assert services.penalty_decide(actor=enforcer, case_id=case.pk).status == "decided"


# -- decision, service, payment (Arts. 60, 61, 67, 72) -----------------------------------------


def test_decision_within_90_days_unless_extended(enforcer, partner):
    case = _to_notice(enforcer, partner)
    services.statement_record(actor=enforcer, case_id=case.pk, waived=True)
    late = datetime(2027, 2, 1, 10, tzinfo=TZ)  # registered 2 Nov 2026: the 90th day is 31 Jan
    with pytest.raises(DomainError, match="九十日"):
        services.penalty_decide(actor=enforcer, case_id=case.pk, at=late)
    services.penalty_extend(
        actor=enforcer, case_id=case.pk, until=date(2027, 3, 1), basis="经局负责人批准延长30日"
    )
    assert services.penalty_decide(actor=enforcer, case_id=case.pk, at=late).status == "decided"


def _decided(enforcer, partner, *, present=False, at=T0 + timedelta(days=1)):
    case = _to_notice(enforcer, partner)
    services.statement_record(actor=enforcer, case_id=case.pk, waived=True)
    return services.penalty_decide(actor=enforcer, case_id=case.pk, party_present=present, at=at)


def test_service_within_7_working_days_and_electronic_only_with_consent(enforcer, partner):
    case = _decided(enforcer, partner, at=datetime(2026, 11, 3, 10, tzinfo=TZ))
    assert {d.kind for d in case.documents.all()} >= {"decision", "payment_notice"}
    with pytest.raises(DomainError, match="确认书"):
        services.penalty_serve(
            actor=enforcer,
            case_id=case.pk,
            method="electronic",
            recipient="王小明",
            served_at=datetime(2026, 11, 4, 10, tzinfo=TZ),
        )
    with pytest.raises(DomainError, match="七个工作日内送达"):
        services.penalty_serve(
            actor=enforcer,
            case_id=case.pk,
            method="direct",
            recipient="王小明",
            served_at=datetime(2026, 11, 13, 10, tzinfo=TZ),
            at=datetime(2026, 11, 13, 11, tzinfo=TZ),
        )
    case = services.penalty_serve(
        actor=enforcer,
        case_id=case.pk,
        method="direct",
        recipient="王小明",
        served_at=datetime(2026, 11, 12, 10, tzinfo=TZ),
        at=datetime(2026, 11, 12, 11, tzinfo=TZ),
    )
    assert case.status == "served" and case.payment_due == date(2026, 11, 27)
    publication = Publication.objects.get(case=case)
    assert publication.published_at is not None
    assert publication.content["party"] == "王**"
    assert "13812345678" not in str(publication.content)


def test_late_payment_carries_3_percent_a_day_capped_at_the_fine(enforcer, partner):
    case = _decided(enforcer, partner)
    case = services.penalty_serve(
        actor=enforcer,
        case_id=case.pk,
        method="direct",
        recipient="王小明",
        at=T0 + timedelta(days=2),
    )
    due = case.payment_due
    assert collection.owed_on(case, due).total == Decimal("6000.00")
    assert collection.owed_on(case, due + timedelta(days=2)).late_fee == Decimal("360.00")
    assert collection.owed_on(case, due + timedelta(days=100)).late_fee == Decimal("6000.00")
    with pytest.raises(DomainError, match="应缴金额"):
        collection.payment_confirm(
            channel="bank",
            reference=case.payment_reference,
            transaction_id="T1",
            amount=Decimal("6000"),
            paid_at=datetime.combine(due + timedelta(days=2), datetime.min.time(), TZ)
            + timedelta(hours=10),
        )
    payment = collection.payment_confirm(
        channel="bank",
        reference=case.payment_reference,
        transaction_id="T1",
        amount=Decimal("6360"),
        paid_at=datetime.combine(due + timedelta(days=2), datetime.min.time(), TZ)
        + timedelta(hours=10),
    )
    assert payment.late_fee_part == Decimal("360.00")
    case.refresh_from_db()
    assert case.status == "executed"


def test_officers_never_collect_an_ordinary_fine(enforcer, partner):
    case = _decided(enforcer, partner)
    with pytest.raises(DomainError, match="缴款渠道"):
        collection.payment_confirm(
            channel="officer",
            reference=case.payment_reference,
            transaction_id="C1",
            amount=Decimal("6000"),
            paid_at=T0 + timedelta(days=3),
        )


def test_court_enforcement_only_after_the_payment_period(enforcer, partner):
    case = _decided(enforcer, partner)
    case = services.penalty_serve(
        actor=enforcer,
        case_id=case.pk,
        method="direct",
        recipient="王小明",
        at=T0 + timedelta(days=2),
    )
    with pytest.raises(DomainError, match="尚未届满"):
        collection.court_apply(
            actor=enforcer,
            case_id=case.pk,
            at=datetime.combine(case.payment_due, datetime.min.time(), TZ) + timedelta(hours=12),
        )
    after = datetime.combine(
        case.payment_due + timedelta(days=1), datetime.min.time(), TZ
    ) + timedelta(hours=10)
    collection.court_apply(actor=enforcer, case_id=case.pk, at=after)
    case = collection.court_record(
        actor=enforcer, case_id=case.pk, outcome="法院裁定准予执行，已划拨", at=after
    )
    assert case.status == "executed"


# -- summary procedure (Arts. 51, 52, 68, 71) ------------------------------------------------


def _summary(enforcer, fine, kind="person", **changes):
    fields = {
        "actor": enforcer,
        "power_id": Power.objects.get(code="ZF-JS-003").pk,
        "party": steps.Party(kind=kind, name="赵路人"),
        "place": "金水区紫荆山公园门口",
        "facts": "随地乱扔烟蒂",
        "penalties": [Penalty(PenaltyKind.FINE, Decimal(fine))],
        "certificate_shown": True,
        "handed_over": True,
        "at": T0,
    }
    return summary.penalty_summary_decide(**(fields | changes))


def test_summary_penalty_caps(enforcer):
    with pytest.raises(DomainError, match="200"):
        _summary(enforcer, "200.01")
    assert _summary(enforcer, "3000", kind="organisation").procedure == "summary"
    with pytest.raises(DomainError, match="出示执法证件"):
        _summary(enforcer, "50", certificate_shown=False)


def test_cash_on_the_spot_only_up_to_100_and_handed_in(enforcer):
    with pytest.raises(Forbidden, match="一百元"):
        _summary(enforcer, "150", collect_cash=True)
    case = _summary(enforcer, "100", collect_cash=True)
    assert case.status == "executed"
    with pytest.raises(DomainError, match="备案"):
        services.penalty_close(actor=enforcer, case_id=case.pk)
    summary.penalty_file(actor=enforcer, case_id=case.pk, at=T0 + timedelta(hours=1))
    with pytest.raises(DomainError, match="尚未上交"):
        services.penalty_close(actor=enforcer, case_id=case.pk)
    limits = {
        limit.key.split(":")[0]: limit
        for limit in penalty_limits(case, now=T0 + timedelta(hours=2))
    }
    assert limits["hand_in"].state == "open"
    collection.cash_hand_in(actor=enforcer, case_id=case.pk, at=T0 + timedelta(days=1))
    assert services.penalty_close(actor=enforcer, case_id=case.pk).status == "closed"


# -- no penalty, referral, revocation -----------------------------------------------------------


def test_no_penalty_needs_a_ground_and_an_education_record(enforcer, partner):
    case = _register(enforcer, partner)
    with pytest.raises(DomainError, match="不符合不予处罚"):
        services.penalty_no_penalty(actor=enforcer, case_id=case.pk, education_record="已教育")
    lenient = _register(
        enforcer, partner, measured={"处数": "2"}, first_offence=True, corrected=True, harm="minor"
    )
    with pytest.raises(DomainError, match="教育"):
        services.penalty_no_penalty(actor=enforcer, case_id=lenient.pk, education_record=" ")
    closed = services.penalty_no_penalty(
        actor=enforcer,
        case_id=lenient.pk,
        education_record="现场宣讲《城市市容和环境卫生管理条例》",
    )
    assert closed.status == "closed" and closed.no_penalty_ground == "first_offence"


def test_referral_hands_over_the_evidence_list(enforcer, partner):
    case = _register(enforcer, partner)
    evidence = _evidence(enforcer, case)
    case = services.penalty_refer(
        actor=enforcer, case_id=case.pk, to="police", reason="涉嫌寻衅滋事"
    )
    assert case.status == "referred"
    entry = LedgerEntry.objects.filter(kind="penalty.refer").get()
    assert evidence.sha256 in entry.payload


def test_revocation_withdraws_the_publication(enforcer, partner):
    case = _decided(enforcer, partner)
    services.penalty_serve(
        actor=enforcer,
        case_id=case.pk,
        method="direct",
        recipient="王小明",
        at=T0 + timedelta(days=2),
    )
    services.penalty_revoke(actor=enforcer, case_id=case.pk, reason="复议机关撤销")
    publication = Publication.objects.get(case=case)
    assert publication.withdrawn_at is not None and publication.withdraw_due_at is not None


# -- the full ordinary procedure, and the proof ------------------------------------------------


def test_registration_to_archive_with_every_document_provable(enforcer, partner, legal):
    case = _reviewing(enforcer, partner)
    services.penalty_review(
        actor=legal, case_id=case.pk, passed=True, opinion="事实清楚，证据确凿，理由成立"
    )
    case = services.penalty_decide(
        actor=enforcer, case_id=case.pk, party_present=True, at=T0 + timedelta(days=1)
    )
    case = services.penalty_serve(
        actor=enforcer,
        case_id=case.pk,
        method="direct",
        recipient="王小明",
        at=T0 + timedelta(days=1),
    )
    collection.payment_confirm(
        channel="e_payment",
        reference=case.payment_reference,
        transaction_id="E-1",
        amount=case.fine,
        paid_at=T0 + timedelta(days=2),
    )
    case = services.penalty_close(actor=enforcer, case_id=case.pk)
    case = services.penalty_archive(actor=enforcer, case_id=case.pk)
    assert case.status == "archived"
    kinds = set(Document.objects.filter(case=case).values_list("kind", flat=True))
    assert kinds == {"register", "notice", "decision", "payment_notice", "service_receipt"}
    report = ledger_verify(files=True)
    assert report.ok and report.files_checked >= 6
    # Tampering with an evidence file is found.
    evidence = Evidence.objects.filter(case=case).first()
    default_storage.delete(evidence.file)
    default_storage.save(evidence.file, io.BytesIO(b"%PDF-forged"))
    _checked, problems = ledgered_files_check()
    assert any("不符" in p for p in problems)


def test_the_source_case_learns_the_outcome_in_public_words(user_factory):
    """A 占道经营 case in 上街区 (whose grids the test database has) opens a penalty case;
    its reporter reads each outcome in fixed public words, never the party."""
    from chengguan.cases.models import Category
    from chengguan.cases.services import case_report
    from chengguan.org.models import Grid
    from chengguan.portal.selectors import public_timeline

    brigade = Agency.objects.get(code="410106-ZD")
    officer = user_factory("officer", region="410106", agency=brigade)
    _person(brigade, user=officer)
    colleague = _person(brigade)
    inspector = user_factory("inspector", region="410106")
    spot = Grid.objects.filter(region_code="410106").first().geometry.representative_point()
    source = case_report(
        actor=inspector,
        category=Category.objects.get(kind="matter", code="09006"),
        lon=spot.x,
        lat=spot.y,
        description="人行道上摆摊卖水果",
        channel="inspector",
    )
    case = services.penalty_register(
        actor=officer,
        power_id=Power.objects.get(code="ZF-GS-001").pk,
        party=steps.Party(kind="person", name="王小明"),
        place="上街区中心路",
        occurred_on=date(2026, 10, 30),
        discovered_on=date(2026, 10, 30),
        facts="王小明占道经营",
        source=f"数字城管案卷 {source.number}",
        co_investigator_ids=[colleague.pk],
        source_case_id=source.pk,
        at=T0,
    )
    assert case.source_case_id == source.pk and case.agency.code == "410106-CGJ"
    services.penalty_refer(actor=officer, case_id=case.pk, to="police", reason="涉嫌犯罪")
    shown = [(event.label, event.detail) for event in public_timeline(source)]
    assert ("执法处理进展", "执法部门已对违法行为立案调查") in shown
    assert ("执法处理进展", "执法部门已将案件移送有关机关处理") in shown
    assert "王小明" not in str(shown)


def test_each_case_has_its_own_payment_reference(enforcer, partner):
    ordinary = _to_notice(enforcer, partner)
    services.statement_record(actor=enforcer, case_id=ordinary.pk, waived=True)
    summary = _summary(enforcer, "100")
    ordinary = services.penalty_decide(
        actor=enforcer, case_id=ordinary.pk, at=T0 + timedelta(days=1)
    )
    assert summary.payment_reference and ordinary.payment_reference
    assert summary.payment_reference != ordinary.payment_reference


def test_a_paid_case_is_not_paid_twice_and_payments_follow_the_decision(enforcer, partner):
    case = _decided(enforcer, partner)
    with pytest.raises(DomainError, match="早于处罚决定"):
        collection.payment_confirm(
            channel="bank",
            reference=case.payment_reference,
            transaction_id="B0",
            amount=case.fine,
            paid_at=T0,
        )
    collection.payment_confirm(
        channel="bank",
        reference=case.payment_reference,
        transaction_id="B1",
        amount=case.fine,
        paid_at=T0 + timedelta(days=2),
    )
    again = collection.payment_confirm(
        channel="bank",
        reference=case.payment_reference,
        transaction_id="B1",
        amount=case.fine,
        paid_at=T0 + timedelta(days=2),
    )
    assert again.transaction_id == "B1" and case.payments.count() == 1
    from chengguan.core.errors import Conflict

    with pytest.raises(Conflict, match="已缴清"):
        collection.payment_confirm(
            channel="bank",
            reference=case.payment_reference,
            transaction_id="B2",
            amount=case.fine,
            paid_at=T0 + timedelta(days=3),
        )


@pytest.mark.parametrize(
    "written",
    ["+8613803711234", "8613803711234", "138-0371-1234", "138 0371 1234", "4101 0519 9001 0112 34"],
)
def test_publicity_removes_numbers_however_written(written):
    from chengguan.penalties.publicity import redact

    text = redact(
        f"当事人王小明（{written}）称小明不知情", party_kind="person", party_name="王小明"
    )
    assert written not in text and "王小明" not in text and "小明" not in text
    assert "（已删除）" in text and "王**" in text


def test_bad_measured_facts_and_impossible_request_times_are_refused(enforcer, partner):
    with pytest.raises(DomainError, match="不小于零的数"):
        _register(enforcer, partner, measured={"处数": "abc"})
    with pytest.raises(DomainError, match="不小于零的数"):
        _register(enforcer, partner, measured={"处数": "-1"})
    case = _to_notice(enforcer, partner)
    with pytest.raises(DomainError, match="告知之后"):
        services.hearing_request(
            actor=enforcer, case_id=case.pk, requested_at=T0 - timedelta(days=1)
        )
