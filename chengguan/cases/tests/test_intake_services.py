"""Intake on the case flow: reporters' contacts, duplicates and merging, referral to the
police, reopening, and keeping every reporter informed."""

from datetime import timedelta

import pytest
from django.utils import timezone

from chengguan.cases.consumers import reporters_following
from chengguan.cases.domain.workflow import Action, Status
from chengguan.cases.models import Case, Reporter
from chengguan.cases.selectors import duplicate_candidates, similar_open_cases
from chengguan.cases.services import (
    Contact,
    case_act,
    case_report,
    case_reporter_join,
    reporter_phone_reveal,
)
from chengguan.core.errors import DomainError, Forbidden
from chengguan.core.models import Deadline, LedgerEntry, OutboxEvent
from chengguan.core.services import outbox_relay

PHONE = "13812341234"


def report(people, category, point, *, phone=PHONE, name="张三", at=None, offset=(0.0, 0.0)):
    return case_report(
        actor=people.operator,
        category=category,
        lon=point[0] + offset[0],
        lat=point[1] + offset[1],
        description="路边垃圾堆放",
        channel=Case.Channel.HOTLINE,
        contact=Contact(name, phone),
        at=at,
    )


def act(case, action, who, **kw):
    case.refresh_from_db()
    return case_act(case_id=case.pk, action=action, actor=who, expected_version=case.version, **kw)


def to_closed(case, people):
    act(case, Action.VERIFY, people.inspector)
    act(case, Action.REGISTER, people.shift_leader)
    act(case, Action.DISPATCH, people.dispatcher, agency_id=people.sanitation.pk)
    act(case, Action.HANDLE, people.handler, feedback="已清运")
    act(case, Action.CHECK_PASS, people.inspector)
    return act(case, Action.CLOSE, people.shift_leader)


class Recorder:
    """A text-message backend that keeps what it was asked to send."""

    sent: list[tuple[str, str]] = []

    def send(self, recipient: str, text: str) -> None:
        Recorder.sent.append((recipient, text))


@pytest.fixture
def texts(settings):
    """The text messages sent to reporters from now on."""
    Recorder.sent = []
    settings.CHENGGUAN = {**settings.CHENGGUAN, "NOTIFY_BACKEND": f"{__name__}.Recorder"}
    OutboxEvent.objects.filter(delivered_at__isnull=True).update(delivered_at=timezone.now())
    return Recorder.sent


# ---------------------------------------------------------------- reporters


def test_a_callers_phone_is_stored_encrypted_with_a_blind_index(people, garbage, point):
    case = report(people, garbage, point, phone="+86 138-1234-1234")
    reporter = case.reporters.get()
    assert reporter.phone_masked == "138****1234" and reporter.name == "张三"
    assert PHONE not in reporter.phone_cipher
    row = Reporter.objects.filter(pk=reporter.pk).values().get()  # the row as stored
    assert not any(PHONE in str(value) for value in row.values())
    from chengguan.core.personal import phone_index

    assert Reporter.objects.filter(phone_index=phone_index(PHONE)).get() == reporter
    assert len(reporter.tracking_code) == 10


def test_a_malformed_phone_refuses_the_whole_report(people, garbage, point):
    before = Case.objects.count()
    with pytest.raises(DomainError, match="电话号码格式不正确"):
        report(people, garbage, point, phone="12345678")
    assert Case.objects.count() == before and not Reporter.objects.filter(name="张三").exists()


def test_only_hotline_staff_reveal_a_phone_and_each_look_is_ledgered(people, garbage, point):
    reporter = report(people, garbage, point).reporters.get()
    with pytest.raises(Forbidden):
        reporter_phone_reveal(actor=people.dispatcher, reporter_id=reporter.pk)
    assert reporter_phone_reveal(actor=people.operator, reporter_id=reporter.pk) == PHONE
    entry = LedgerEntry.objects.filter(kind="personal.phone_revealed").latest("seq")
    assert entry.actor_id == str(people.operator.pk) and entry.subject_id == str(reporter.case.pk)
    assert PHONE not in entry.payload


def test_a_second_caller_joins_the_open_case_instead_of_a_duplicate(people, garbage, point):
    case = report(people, garbage, point)
    joined = case_reporter_join(
        case_id=case.pk,
        actor=people.operator,
        contact=Contact("李四", "13900001111"),
        channel=Case.Channel.HOTLINE,
        description="又有人反映",
    )
    assert joined.case == case and case.reporters.count() == 2
    assert case.events.filter(action="reporter_joined").exists()
    assert Case.objects.filter(description="路边垃圾堆放", pk=case.pk).count() == 1


# ---------------------------------------------------------------- duplicates and merging


def test_duplicates_are_the_same_category_within_50_m_and_72_h(people, garbage, point):
    now = timezone.now()
    first = report(people, garbage, point, at=now - timedelta(hours=10))
    far = report(
        people, garbage, point, offset=(0.0, 0.0009), at=now - timedelta(hours=9)
    )  # ~100 m
    old = report(people, garbage, point, at=now - timedelta(hours=80))
    new = report(people, garbage, point, offset=(0.0002, 0.0), at=now)  # ~20 m
    found = duplicate_candidates(people.operator, new)
    assert first in found and far not in found and old not in found and new not in found


def test_the_duplicate_rule_is_configurable(settings, people, garbage, point):
    report(people, garbage, point, offset=(0.0, 0.0009))
    settings.CHENGGUAN = {**settings.CHENGGUAN, "DUPLICATE_RADIUS_M": 150}
    assert similar_open_cases(people.operator, category=garbage, lon=point[0], lat=point[1])


def test_merging_ends_the_duplicate_and_its_reporters_follow(people, garbage, point, texts):
    first = report(people, garbage, point)
    second = report(people, garbage, point, phone="13900001111", name="李四")
    merged = act(second, Action.MERGE, people.operator, target_number=first.number)
    assert merged.status == Status.MERGED and merged.merged_into == first
    assert not Deadline.objects.filter(subject_id=str(second.pk), stopped_at__isnull=True)
    assert {r.name for r in reporters_following(first)} == {"张三", "李四"}
    outbox_relay()
    assert any(to == "13900001111" and first.number in text for to, text in texts)
    texts.clear()
    to_closed(first, people)
    outbox_relay()
    told = {to for to, text in texts if "已办结" in text}
    assert told == {PHONE, "13900001111"}  # every reporter hears of the closure


def test_a_merge_needs_a_living_case_of_the_same_category(people, garbage, point):
    first = report(people, garbage, point)
    second = report(people, garbage, point)
    other_category = type(garbage).objects.filter(kind="matter").exclude(pk=garbage.pk).first()
    third = report(people, other_category, point)
    with pytest.raises(DomainError, match="请填写合并到的案卷"):
        act(second, Action.MERGE, people.operator)
    with pytest.raises(DomainError, match="同一类别"):
        act(third, Action.MERGE, people.operator, target_number=first.number)
    with pytest.raises(DomainError, match="自己"):
        act(second, Action.MERGE, people.operator, target_number=second.number)
    act(first, Action.VOID, people.operator, reason="误报")
    with pytest.raises(DomainError, match="已办结或已合并"):
        act(second, Action.MERGE, people.operator, target_number=first.number)
    second.refresh_from_db()
    assert second.status == Status.REPORTED  # nothing half-done


# ---------------------------------------------------------------- police and reopening


def test_a_police_matter_is_referred_with_a_reason(people, garbage, point, texts):
    case = report(people, garbage, point)
    with pytest.raises(DomainError, match="理由"):
        act(case, Action.REFER_POLICE, people.operator)
    referred = act(case, Action.REFER_POLICE, people.operator, reason="涉及打架斗殴")
    assert referred.status == Status.REFERRED
    outbox_relay()
    assert any("110" in text for _to, text in texts)


def test_reopening_within_7_days_sends_the_case_back_to_its_handler(people, garbage, point):
    case = to_closed(report(people, garbage, point), people)
    reopened = act(case, Action.REOPEN, people.operator, reason="垃圾又堆起来了")
    assert reopened.status == Status.DISPATCHED and reopened.agency == people.sanitation
    assert reopened.closed_at is None and reopened.rework_count == 1


def test_reopening_after_7_days_is_refused(people, garbage, point):
    case = to_closed(report(people, garbage, point), people)
    Case.objects.filter(pk=case.pk).update(closed_at=timezone.now() - timedelta(days=8))
    with pytest.raises(DomainError, match="7 天"):
        act(case, Action.REOPEN, people.operator, reason="还没修好")
    case.refresh_from_db()
    assert case.status == Status.CLOSED


def test_reporters_get_their_tracking_code_on_receipt(people, garbage, point, texts):
    case = report(people, garbage, point)
    outbox_relay()
    code = case.reporters.get().tracking_code
    assert [(to, code in text) for to, text in texts] == [(PHONE, True)]


def test_the_log_backend_never_writes_a_full_number(caplog, people, garbage, point):
    from chengguan.core.notify import LoggingBackend

    with caplog.at_level("INFO", logger="chengguan.notify"):
        LoggingBackend().send(PHONE, "你好")
    assert PHONE not in caplog.text and "138****1234" in caplog.text


def test_numbers_in_a_reopening_reason_never_reach_the_ledger(people, garbage, point):
    case = to_closed(report(people, garbage, point), people)
    act(case, Action.REOPEN, people.operator, reason="还没修好，请打13900001111")
    event = case.events.get(action="reopen")
    assert event.note == "还没修好，请打139****1111"
    assert not LedgerEntry.objects.filter(payload__contains="13900001111").exists()
