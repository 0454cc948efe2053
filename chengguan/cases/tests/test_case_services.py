"""Case services on the database: numbering, routing, clocks, ledger, outbox, permissions."""

from datetime import timedelta

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from chengguan.cases.domain.workflow import Action, Status
from chengguan.cases.models import Case, CaseEvent, Category, Notice, Responsibility
from chengguan.cases.selectors import open_deadlines, queue_for, suggest_agency
from chengguan.cases.services import case_act, case_report
from chengguan.cases.sweeps import sweep
from chengguan.cases.tests.conftest import SHANGHAI, UNIT, local
from chengguan.core.errors import Conflict, DomainError, Forbidden, NotFound
from chengguan.core.models import Deadline, LedgerEntry, OutboxEvent
from chengguan.core.services import ledger_verify
from chengguan.org.models import Grid, Region

pytestmark = pytest.mark.django_db


def report(people, garbage, point, at=None, by=None):
    by = by or people.operator
    return case_report(
        actor=by,
        category=garbage,
        lon=point[0],
        lat=point[1],
        description="路边成堆垃圾",
        channel="inspector" if by is people.inspector else "hotline",
        at=at,
    )


def act(case, action, who, at=None, **kw):
    case.refresh_from_db()
    return case_act(
        case_id=case.pk, action=action, actor=who, expected_version=case.version, at=at, **kw
    )


def due(case, clock):
    return Deadline.objects.get(subject_id=str(case.pk), kind=clock, stopped_at__isnull=True).due_at


def test_report_places_numbers_and_routes_the_case(people, garbage, point):
    case = report(people, garbage, point, at=local(2026, 11, 27, 9, 0))
    assert case.number.startswith(f"{UNIT}-20261127-")
    assert case.grid.code.startswith(case.street_code) and case.region_code == UNIT
    assert case.status == Status.REPORTED  # a hotline report waits for an inspector
    assert case.suggested_agency == people.sanitation and "责任划分" in case.suggestion
    assert due(case, "verify").astimezone(SHANGHAI) == local(2026, 11, 27, 11, 0)  # 2 working hours
    second = report(people, garbage, point, at=local(2026, 11, 27, 10, 0))
    assert int(second.number[-6:]) == int(case.number[-6:]) + 1
    assert LedgerEntry.objects.filter(kind="case.reported", subject_id=str(case.pk)).exists()
    assert OutboxEvent.objects.filter(topic="case.reported", payload__number=case.number).exists()


def test_an_inspectors_own_report_is_already_verified(people, garbage, point):
    case = report(people, garbage, point, by=people.inspector)
    assert case.status == Status.VERIFIED
    assert open_deadlines(case).get().kind == "register"


def test_point_outside_the_city_is_refused_and_nothing_is_saved(people, garbage):
    before = Case.objects.count()
    with pytest.raises(DomainError, match="不在本市网格范围内"):
        case_report(
            actor=people.operator,
            category=garbage,
            lon=116.4,
            lat=39.9,
            description="x",
            channel="hotline",
        )
    assert Case.objects.count() == before


def full_journey(people, garbage, point, start):
    case = report(people, garbage, point, at=start)
    act(case, Action.VERIFY, people.inspector, at=start + timedelta(minutes=30))
    act(case, Action.REGISTER, people.shift_leader, at=start + timedelta(minutes=40))
    act(
        case,
        Action.DISPATCH,
        people.dispatcher,
        at=start + timedelta(minutes=50),
        agency_id=people.sanitation.pk,
    )
    return case


def test_full_journey_writes_one_ledger_entry_per_transition(people, garbage, point):
    case = full_journey(people, garbage, point, local(2026, 11, 27, 9))
    act(case, Action.HANDLE, people.handler, feedback="已清运")
    act(case, Action.CHECK_PASS, people.inspector)
    case = act(case, Action.CLOSE, people.shift_leader)
    assert case.status == Status.CLOSED and case.closed_at
    kinds = list(
        LedgerEntry.objects.filter(subject_id=str(case.pk))
        .order_by("seq")
        .values_list("kind", flat=True)
    )
    assert kinds == [
        "case.reported",
        "case.verify",
        "case.register",
        "case.dispatch",
        "case.handle",
        "case.check_pass",
        "case.close",
    ]
    assert CaseEvent.objects.filter(case=case).count() == 7
    assert not open_deadlines(case).exists()
    assert ledger_verify().ok


def test_handle_clock_skips_national_day(people, garbage, point):
    """Dispatched 30 September 17:00 with 1 working day: due at the end of 8 October."""
    case = full_journey(people, garbage, point, local(2026, 9, 30, 16, 0))
    assert due(case, "handle").astimezone(SHANGHAI) == local(2026, 10, 8, 18, 0)


def test_make_up_saturday_counts_as_a_working_day(people, garbage, point):
    """Dispatched Friday 9 October: the make-up Saturday 10 October is the working day."""
    case = full_journey(people, garbage, point, local(2026, 10, 9, 10, 0))
    assert due(case, "handle").astimezone(SHANGHAI) == local(2026, 10, 10, 18, 0)


def test_dispatching_elsewhere_than_suggested_needs_a_reason(people, garbage, point):
    case = full_journey(people, garbage, point, local(2026, 11, 27, 9))
    case.refresh_from_db()
    with pytest.raises(DomainError, match="理由"):
        act(case, Action.REASSIGN, people.dispatcher, agency_id=people.municipal.pk)


def test_handler_of_another_agency_can_neither_see_nor_act(people, garbage, point, user_factory):
    case = full_journey(people, garbage, point, local(2026, 11, 27, 9))
    with pytest.raises(NotFound):  # a department's staff see only their department's cases
        act(case, Action.HANDLE, people.other_handler, feedback="不是我们的")
    street_office = Grid.objects.get(pk=case.grid_id).street.agencies.get(kind="street_office")
    clerk = user_factory("handler", region=UNIT, agency=street_office)
    with pytest.raises(Forbidden, match="不属于您的单位"):  # sees the district, acts on its own
        act(case, Action.HANDLE, clerk, feedback="不是我们的")
    assert queue_for(people.other_handler, "handler").filter(pk=case.pk).count() == 0
    assert queue_for(people.handler, "handler").filter(pk=case.pk).count() == 1


def test_user_of_another_district_does_not_find_the_case(people, garbage, point, user_factory):
    case = report(people, garbage, point)
    stranger = user_factory("inspector", region="410105")
    with pytest.raises(NotFound):
        act(case, Action.VERIFY, stranger)


def test_stale_version_is_a_conflict(people, garbage, point):
    case = full_journey(people, garbage, point, local(2026, 11, 27, 9))
    case.refresh_from_db()
    seen = case.version
    case_act(
        case_id=case.pk,
        action=Action.HANDLE,
        actor=people.handler,
        expected_version=seen,
        feedback="已清运",
    )
    with pytest.raises(Conflict, match="已被他人处理"):
        case_act(
            case_id=case.pk,
            action=Action.RETURN,
            actor=people.handler,
            expected_version=seen,
            reason="不是我们的",
        )


def test_extension_moves_the_handle_deadline_later_only_when_approved(people, garbage, point):
    case = full_journey(people, garbage, point, local(2026, 11, 27, 9))
    before = due(case, "handle")
    act(case, Action.REQUEST_EXTENSION, people.handler, reason="需调机械", hours=8)
    assert due(case, "handle") == before
    with pytest.raises(DomainError, match="已有延期申请"):
        act(case, Action.REQUEST_EXTENSION, people.handler, reason="再延", hours=8)
    act(case, Action.APPROVE_EXTENSION, people.dispatcher)
    assert due(case, "handle") > before
    case.refresh_from_db()
    assert not case.extension_pending


def test_failed_check_sends_the_case_back_for_rework(people, garbage, point):
    case = full_journey(people, garbage, point, local(2026, 11, 27, 9))
    act(case, Action.HANDLE, people.handler, feedback="已清运")
    case = act(case, Action.CHECK_FAIL, people.inspector, reason="仍有垃圾")
    assert case.status == Status.DISPATCHED and case.rework_count == 1
    assert open_deadlines(case).get().kind == "handle"


def test_routing_prefers_the_most_specific_row_and_falls_back_to_triage(people, garbage):
    grid = Grid.objects.filter(region_code=UNIT).first()
    street = grid.code[:9]
    on = local(2026, 11, 27).date()
    assert (
        suggest_agency(
            category=garbage, grid=grid, street_code=street, unit_code=UNIT, on=on
        ).agency
        == people.sanitation
    )
    Responsibility.objects.create(grid=grid, category=garbage, agency=people.municipal, priority=50)
    assert (
        suggest_agency(
            category=garbage, grid=grid, street_code=street, unit_code=UNIT, on=on
        ).agency
        == people.municipal
    )
    expired = Responsibility.objects.filter(grid=grid).update(valid_to=local(2026, 11, 1).date())
    assert expired == 1
    assert (
        suggest_agency(
            category=garbage, grid=grid, street_code=street, unit_code=UNIT, on=on
        ).agency
        == people.sanitation
    )
    orphan = (
        Category.objects.get(kind="matter", code="05001")
        if Category.objects.filter(kind="matter", code="05001").exists()
        else Category.objects.filter(major_code="05").first()
    )
    triage = suggest_agency(category=orphan, grid=grid, street_code=street, unit_code=UNIT, on=on)
    assert triage.agency is None and "市级分拨" in triage.reason


def test_sweep_warns_marks_overdue_and_escalates_once(people, garbage, point):
    case = full_journey(people, garbage, point, local(2026, 11, 27, 9))  # handle due 11-30 18:00
    handle_due = due(case, "handle")
    assert sweep(now=handle_due - timedelta(hours=1)) == {"warned": 1, "overdue": 0, "escalated": 0}
    assert sweep(now=handle_due - timedelta(minutes=30))["warned"] == 0
    assert sweep(now=handle_due + timedelta(minutes=1))["overdue"] == 1
    case.refresh_from_db()
    assert case.overdue and case.level == 2
    later = handle_due + timedelta(days=3)
    assert sweep(now=later)["escalated"] == 1
    assert sweep(now=later)["escalated"] == 0
    case.refresh_from_db()
    assert case.level == 3
    kinds = sorted(Notice.objects.filter(case=case).values_list("kind", flat=True))
    assert kinds == ["overdue", "supervise", "warning"]


def test_supervise_raises_the_level_and_notifies_the_agency(people, garbage, point):
    case = full_journey(people, garbage, point, local(2026, 11, 27, 9))
    case = act(case, Action.SUPERVISE, people.leader, reason="群众反映强烈")
    assert case.level == 3
    assert Notice.objects.filter(case=case, kind="supervise", agency=people.sanitation).exists()


FORWARD = {
    Action.VERIFY,
    Action.REGISTER,
    Action.DISPATCH,
    Action.HANDLE,
    Action.CHECK_PASS,
    Action.CHECK_FAIL,
    Action.CLOSE,
    Action.APPROVE_EXTENSION,
    Action.REQUEST_EXTENSION,
    Action.RESUME,
}


class ServiceFlow(RuleBasedStateMachine):
    """Random actors take random actions on one real case through the services: every
    success is exactly one ledger entry, and a running clock's due never moves except by an
    approved extension (which only moves it later)."""

    people = garbage = point = None  # set by the test below

    def __init__(self):
        super().__init__()
        self.case = report(self.people, self.garbage, self.point)
        self.successes = 1
        self.dues = {}

    @rule(
        action=st.sampled_from(list(Action)),
        who=st.sampled_from(
            [
                "inspector",
                "operator",
                "shift_leader",
                "dispatcher",
                "handler",
                "other_handler",
                "leader",
            ]
        ),
    )
    def act(self, action, who):
        self.case.refresh_from_db()
        before = self.case.version
        try:
            act(
                self.case,
                action,
                getattr(self.people, who),
                reason="理由",
                feedback="已处置",
                hours=4,
                agency_id=self.people.sanitation.pk,
            )
        except DomainError:
            self.case.refresh_from_db()
            assert self.case.version == before
            return
        self.successes += 1
        if action is Action.APPROVE_EXTENSION:
            old = self.dues.pop("handle")
            assert due(self.case, "handle") > old

    @invariant()
    def ledger_counts_transitions_and_clocks_hold(self):
        entries = LedgerEntry.objects.filter(subject_id=str(self.case.pk)).count()
        assert entries == self.successes
        for deadline in open_deadlines(self.case):
            previous = self.dues.get(deadline.kind)
            if previous is not None and deadline.kind != "handle":
                assert deadline.due_at >= previous
            self.dues[deadline.kind] = deadline.due_at
        running = {d.kind for d in open_deadlines(self.case)}
        self.case.refresh_from_db()
        assert len(running) <= 1

    @rule(data=st.data())
    def someone_entitled_acts(self, data):
        """Pick an action the case allows and a person whose role allows it: drives the case
        deep into the flow so later stages get exercised too."""
        from chengguan.accounts.selectors import roles_of
        from chengguan.cases.domain.workflow import allowed_actions

        self.case.refresh_from_db()
        names = ["inspector", "operator", "shift_leader", "dispatcher", "handler", "leader"]
        options = [
            (action, name)
            for name in names
            for action in allowed_actions(
                Status(self.case.status),
                roles_of(getattr(self.people, name)),
                pending_extension=self.case.extension_pending,
            )
        ]
        forward = [o for o in options if o[0] in FORWARD]
        if forward and data.draw(st.integers(0, 9)) < 8:  # mostly move on, sometimes detour
            options = forward
        if options:
            action, name = data.draw(st.sampled_from(sorted(options)))
            self.act(action=action, who=name)


def test_random_actions_through_the_services(people, garbage, point):
    ServiceFlow.people, ServiceFlow.garbage, ServiceFlow.point = people, garbage, point
    from hypothesis.stateful import run_state_machine_as_test

    run_state_machine_as_test(
        ServiceFlow,
        settings=settings(
            max_examples=25,
            stateful_step_count=25,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        ),
    )
    assert Region.objects.exists()


def test_marking_a_case_complex_escalates_it_once(people, garbage, point):
    case = full_journey(people, garbage, point, local(2026, 11, 27, 9))
    case = act(case, Action.MARK_COMPLEX, people.handler, reason="涉及多个产权单位")
    assert case.complex and case.level == 3
    assert Notice.objects.filter(case=case, kind="supervise").count() == 1
    with pytest.raises(DomainError, match="已标记为疑难复杂"):
        act(case, Action.MARK_COMPLEX, people.dispatcher, reason="再次")


def test_joint_enforcement_closes_only_when_every_part_is_done(
    people, garbage, point, user_factory
):
    from chengguan.cases.models import CasePart
    from chengguan.cases.selectors import cases_visible

    case = report(people, garbage, point, at=local(2026, 11, 27, 9))
    act(case, Action.VERIFY, people.inspector)
    act(case, Action.REGISTER, people.shift_leader)
    brigade = Grid.objects.get(pk=case.grid_id).street.agencies.get(kind="brigade")
    case = act(
        case,
        Action.DISPATCH_JOINT,
        people.dispatcher,
        agency_id=people.sanitation.pk,
        helper_ids=[people.municipal.pk, brigade.pk],
    )
    assert case.agency == people.sanitation
    assert CasePart.objects.filter(case=case).count() == 3
    # The helpers see the task (a department's staff otherwise see only their own cases).
    assert cases_visible(people.other_handler).filter(pk=case.pk).exists()
    assert queue_for(people.other_handler, "handler").filter(pk=case.pk).exists()
    with pytest.raises(DomainError, match="尚有 2 个协办单位未完成"):
        act(case, Action.HANDLE, people.handler, feedback="已清运")
    act(case, Action.PART_DONE, people.other_handler, feedback="井盖已补")
    with pytest.raises(Forbidden):  # the lead has no helper part of its own
        act(case, Action.PART_DONE, people.handler, feedback="?")
    brigade_officer = user_factory("handler", region=UNIT, agency=brigade)
    act(case, Action.PART_DONE, brigade_officer, feedback="占道已清理")
    case = act(case, Action.HANDLE, people.handler, feedback="联合处置完毕")
    assert case.status == Status.HANDLED


def test_joint_dispatch_needs_a_helper_other_than_the_lead(people, garbage, point):
    case = report(people, garbage, point)
    act(case, Action.VERIFY, people.inspector)
    act(case, Action.REGISTER, people.shift_leader)
    with pytest.raises(DomainError, match="至少需要一个协办单位"):
        act(
            case,
            Action.DISPATCH_JOINT,
            people.dispatcher,
            agency_id=people.sanitation.pk,
            helper_ids=[people.sanitation.pk],
        )


def test_dispatcher_starts_a_joint_enforcement_from_the_case_page(client, people, garbage, point):
    case = report(people, garbage, point)
    act(case, Action.VERIFY, people.inspector)
    case = act(case, Action.REGISTER, people.shift_leader)
    client.force_login(people.dispatcher)
    page = client.get(f"/cases/{case.number}/").content.decode()
    assert 'data-action="dispatch_joint"' in page and 'name="helpers"' in page
    response = client.post(
        f"/cases/{case.number}/act/dispatch_joint/",
        {
            "version": case.version,
            "agency": str(people.sanitation.pk),
            "helpers": [str(people.municipal.pk)],
        },
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.DISPATCHED and case.parts.count() == 2


def _photo_bytes() -> bytes:
    import io

    from PIL import Image

    image = Image.new("RGB", (40, 30), (10, 120, 10))
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (34.0, 45.0, 1.0)}
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif)
    return buffer.getvalue()


def test_handler_reports_with_an_after_photo_that_the_case_page_shows(
    client, people, garbage, point, settings, tmp_path
):
    import hashlib
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    settings.MEDIA_ROOT = tmp_path
    case = full_journey(people, garbage, point, local(2026, 11, 27, 9))
    case.refresh_from_db()
    client.force_login(people.handler)
    data = _photo_bytes()
    response = client.post(
        f"/cases/{case.number}/act/handle/",
        {
            "version": case.version,
            "feedback": "已清运",
            "photos": [SimpleUploadedFile("after.jpg", data, content_type="image/jpeg")],
        },
    )
    assert response.status_code == 302
    photo = case.photos.get()
    assert photo.kind == "after" and photo.sha256 == hashlib.sha256(data).hexdigest()
    entry = LedgerEntry.objects.filter(kind="case.handle", subject_id=str(case.pk)).get()
    assert photo.sha256 in entry.payload
    client.force_login(people.inspector)
    page = client.get(f"/cases/{case.number}/").content.decode()
    assert f"/cases/{case.number}/photos/{photo.pk}/" in page
    served = client.get(f"/cases/{case.number}/photos/{photo.pk}/")
    shown = Image.open(io.BytesIO(b"".join(served.streaming_content)))
    assert served["Content-Type"] == "image/jpeg" and len(shown.getexif()) == 0


def test_a_fake_photo_is_refused_and_the_action_is_not_taken(
    client, people, garbage, point, settings, tmp_path
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    case = full_journey(people, garbage, point, local(2026, 11, 27, 9))
    case.refresh_from_db()
    client.force_login(people.handler)
    response = client.post(
        f"/cases/{case.number}/act/handle/",
        {
            "version": case.version,
            "feedback": "已清运",
            "photos": [
                SimpleUploadedFile("after.jpg", b"MZ\x90\x00not a photo", content_type="image/jpeg")
            ],
        },
    )
    assert response.status_code == 400 and "不是有效的照片" in response.content.decode()
    case.refresh_from_db()
    assert case.status == Status.DISPATCHED and not case.photos.exists()


def test_photos_of_another_districts_case_are_not_found(
    client, people, garbage, point, user_factory, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    case = case_report(
        actor=people.operator,
        category=garbage,
        lon=point[0],
        lat=point[1],
        description="垃圾",
        channel="hotline",
        photos=[_photo_bytes()],
    )
    photo = case.photos.get()
    assert photo.kind == "report"
    client.force_login(user_factory("inspector", region="410105"))
    assert client.get(f"/cases/{case.number}/photos/{photo.pk}/").status_code == 404
