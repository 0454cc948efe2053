"""Telling the partners what became of their orders: the outbox consumer queues each
callback once, the sender delivers it signed to a real HTTP server, retrying with growing
pauses until the partner acknowledges."""

import json
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.utils import timezone

from chengguan.cases.domain.workflow import Action, Status
from chengguan.cases.models import Case
from chengguan.cases.services import case_act, case_report
from chengguan.core.models import LedgerEntry
from chengguan.core.services import ledger_verify, outbox_relay
from chengguan.intake.domain import Unauthorized, check_signature
from chengguan.intake.models import Callback, WorkOrder
from chengguan.intake.sweeps import callbacks_send
from chengguan.intake.tests.conftest import TRANSFERS, WORK_ORDERS, secret

pytestmark = pytest.mark.django_db


def act(case, action, who, **kw):
    case.refresh_from_db()
    return case_act(case_id=case.pk, action=action, actor=who, expected_version=case.version, **kw)


def received(send, body, path=WORK_ORDERS, partner="12345") -> Case:
    answer = send(path, body, partner=partner)
    assert answer.status_code == 201, answer.content
    return Case.objects.get(number=answer.json()["case_number"])


def close(case, people, feedback="已清运，现场已清洁"):
    act(case, Action.VERIFY, people.inspector)
    act(case, Action.REGISTER, people.shift_leader)
    act(case, Action.DISPATCH, people.dispatcher, agency_id=people.sanitation.pk)
    act(case, Action.HANDLE, people.handler, feedback=feedback)
    act(case, Action.CHECK_PASS, people.inspector)
    return act(case, Action.CLOSE, people.shift_leader)


def test_closing_the_case_queues_exactly_one_closed_callback(send, order, people):
    case = received(send, order())
    case = close(case, people)

    outbox_relay()
    outbox_relay()  # a relay that runs again queues nothing again

    callback = Callback.objects.get()
    assert callback.event == "closed" and callback.work_order.external_id == "GD-20261127-0001"
    assert callback.body == {
        "event": "closed",
        "work_order_id": "GD-20261127-0001",
        "case_number": case.number,
        "status": "closed",
        "result": "已清运，现场已清洁",
        "closed_at": timezone.localtime(case.closed_at).isoformat(timespec="seconds"),
        "at": timezone.localtime(case.closed_at).isoformat(timespec="seconds"),
    }
    assert callback.attempts == 0 and callback.next_attempt_at is not None


def test_an_event_relayed_twice_still_queues_one_callback(send, order, people):
    from chengguan.core.models import OutboxEvent
    from chengguan.intake.consumers import callbacks_enqueue

    close(received(send, order()), people)
    closing = OutboxEvent.objects.get(topic="case.close")
    callbacks_enqueue(closing)
    callbacks_enqueue(closing)
    assert Callback.objects.filter(event="closed").count() == 1


def test_a_case_from_another_channel_tells_no_partner(people, garbage, point):
    case = case_report(
        actor=people.operator,
        category=garbage,
        lon=point[0],
        lat=point[1],
        description="热线来电",
        channel="hotline",
    )
    close(case, people)
    outbox_relay()
    assert not Callback.objects.exists()


def test_a_voided_order_tells_the_partner_why(send, order, people):
    case = received(send, order())
    act(case, Action.VOID, people.operator, reason="重复来电，现场无垃圾")
    outbox_relay()
    callback = Callback.objects.get()
    assert callback.event == "voided" and callback.body["status"] == "voided"
    assert callback.body["reason"] == "重复来电，现场无垃圾"


def test_an_order_merged_away_hears_of_the_merge_and_later_of_the_closure(send, order, people):
    survivor = received(send, order(work_order_id="GD-A"))
    merged = received(send, order(work_order_id="GD-B", description="同一处垃圾，另一位市民"))
    act(merged, Action.MERGE, people.operator, target_number=survivor.number)
    outbox_relay()

    told = Callback.objects.get(work_order__external_id="GD-B")
    assert told.event == "merged"
    assert told.body["case_number"] == merged.number
    assert told.body["merged_into"] == survivor.number and told.body["status"] == "merged"

    close(survivor, people)
    outbox_relay()

    closed = {c.work_order.external_id: c.body for c in Callback.objects.filter(event="closed")}
    assert set(closed) == {"GD-A", "GD-B"}
    assert closed["GD-B"]["case_number"] == merged.number
    assert closed["GD-B"]["merged_into"] == survivor.number
    assert "merged_into" not in closed["GD-A"]
    assert closed["GD-B"]["result"] == closed["GD-A"]["result"] == "已清运，现场已清洁"


def test_closed_reopened_and_closed_again_is_told_each_time(send, order, people):
    case = close(received(send, order()), people)
    act(case, Action.REOPEN, people.operator, reason="市民反映垃圾又堆起来了")
    act(case, Action.HANDLE, people.handler, feedback="再次清运")
    act(case, Action.CHECK_PASS, people.inspector)
    act(case, Action.CLOSE, people.shift_leader)
    outbox_relay()
    events = list(Callback.objects.order_by("created_at").values_list("event", flat=True))
    assert events == ["closed", "reopened", "closed"]
    last = Callback.objects.filter(event="closed").order_by("-created_at").first()
    assert last.body["result"] == "再次清运"


def test_referring_a_case_to_the_police_sends_it_to_110(send, order, people):
    case = received(send, order())
    act(case, Action.REFER_POLICE, people.operator, reason="涉及打架斗殴，属公安职责")
    outbox_relay()
    outbox_relay()

    referral = WorkOrder.objects.get(direction="out")
    assert (referral.partner, referral.external_id, referral.case) == ("110", case.number, case)
    sent = Callback.objects.get(work_order=referral)
    assert sent.event == "referred"
    assert sent.body["case_number"] == case.number
    assert sent.body["reason"] == "涉及打架斗殴，属公安职责"
    assert sent.body["category"] == {"code": "06010", "kind": "matter", "name": case.category.name}
    assert {"lon", "lat", "address", "reported_at", "description"} <= set(sent.body)
    assert "13812345678" not in json.dumps(sent.body, ensure_ascii=False)
    told = Callback.objects.get(work_order__partner="12345")  # and 12345 hears why
    assert told.event == "referred" and told.body["status"] == Status.REFERRED


def test_a_110_transfer_referred_back_is_returned_on_the_transfer_itself(send, order, people):
    transfer = order(work_order_id=None, transfer_id="JJ-9")
    case = received(send, transfer, path=TRANSFERS, partner="110")
    act(case, Action.REFER_POLICE, people.operator, reason="现场为治安纠纷")
    outbox_relay()
    assert not WorkOrder.objects.filter(direction="out").exists()
    callback = Callback.objects.get()
    assert callback.body["transfer_id"] == "JJ-9" and callback.event == "referred"


# ---------------------------------------------------------------- sending


class Partner(BaseHTTPRequestHandler):
    """The partner's callback endpoint: checks our signature, answers from a script."""

    answers: list[tuple[int, bytes]] = []
    seen: list[dict] = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        try:
            check_signature(
                secret=secret("12345"),
                timestamp=self.headers["X-Chengguan-Timestamp"],
                given=self.headers["X-Chengguan-Signature"],
                body=body,
                now=time.time(),
            )
        except Unauthorized:
            status, answer = 401, b'{"code": 401}'
        else:
            status, answer = self.answers.pop(0)
        self.seen.append(
            {
                "body": json.loads(body),
                "event": self.headers["X-Chengguan-Event"],
                "delivery": self.headers["X-Chengguan-Delivery"],
                "verified": status != 401,
            }
        )
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args):
        pass


@pytest.fixture
def partner(settings, monkeypatch):
    for name in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY"):
        monkeypatch.delenv(name, raising=False)
    server = ThreadingHTTPServer(("127.0.0.1", 0), Partner)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}/callbacks"
    exchange = settings.CHENGGUAN["EXCHANGE"]
    settings.CHENGGUAN = settings.CHENGGUAN | {
        "EXCHANGE": exchange | {"12345": exchange["12345"] | {"callback_url": url}}
    }
    Partner.answers, Partner.seen = [], []
    yield Partner
    server.shutdown()
    server.server_close()


def test_a_callback_is_retried_with_backoff_until_acknowledged(send, order, people, partner):
    close(received(send, order()), people)
    outbox_relay()
    partner.answers = [(500, b'{"code": 500, "msg": "busy"}'), (200, b'{"code": 0}')]
    start = timezone.now()

    first = callbacks_send(now=start)

    assert first == {"callbacks_sent": 1, "callbacks_acknowledged": 0, "callbacks_failed": 1}
    callback = Callback.objects.get()
    assert callback.attempts == 1 and callback.last_status == 500
    assert "HTTP 500" in callback.last_error and callback.acknowledged_at is None
    wait = (callback.next_attempt_at - start).total_seconds()
    assert 27 <= wait <= 30  # 30 s less a little jitter
    assert callbacks_send(now=start + timedelta(seconds=10))["callbacks_sent"] == 0  # not due

    later = start + timedelta(seconds=31)
    second = callbacks_send(now=later)

    assert second == {"callbacks_sent": 1, "callbacks_acknowledged": 1, "callbacks_failed": 0}
    callback.refresh_from_db()
    assert callback.acknowledged_at == later and callback.next_attempt_at is None
    assert callback.attempts == 2 and callback.last_status == 200 and callback.last_error == ""
    assert all(s["verified"] for s in partner.seen)  # the partner checked our signature
    assert [s["body"] for s in partner.seen] == [callback.body, callback.body]
    assert {s["delivery"] for s in partner.seen} == {str(callback.pk)}
    assert partner.seen[0]["event"] == "closed"
    entry = LedgerEntry.objects.get(kind="exchange.callback_acknowledged")
    assert entry.subject_id == str(callback.pk)
    assert ledger_verify().ok
    assert callbacks_send(now=later + timedelta(hours=2))["callbacks_sent"] == 0


def test_a_partner_that_cannot_be_reached_is_retried_later(send, order, people, settings):
    exchange = settings.CHENGGUAN["EXCHANGE"]
    unreachable = {"callback_url": "http://127.0.0.1:9/callbacks"}  # discard port: refused
    settings.CHENGGUAN = settings.CHENGGUAN | {
        "EXCHANGE": exchange | {"12345": exchange["12345"] | unreachable}
    }
    close(received(send, order()), people)
    outbox_relay()

    assert callbacks_send()["callbacks_failed"] == 1
    callback = Callback.objects.get()
    assert callback.attempts == 1 and callback.last_status is None
    assert callback.last_error and callback.next_attempt_at > timezone.now()


def test_callbacks_of_one_order_go_out_in_order(send, order, people, partner):
    case = close(received(send, order()), people)
    act(case, Action.REOPEN, people.operator, reason="未解决")
    outbox_relay()
    partner.answers = [(200, b"not json"), (200, b'{"code": 0}'), (200, b'{"code": 0}')]
    start = timezone.now()

    assert callbacks_send(now=start)["callbacks_failed"] == 1
    # the reopening waits for the closure, even though it is due
    assert callbacks_send(now=start + timedelta(seconds=5))["callbacks_sent"] == 0
    assert callbacks_send(now=start + timedelta(minutes=1))["callbacks_acknowledged"] == 2
    assert [s["event"] for s in partner.seen] == ["closed", "closed", "reopened"]


def test_without_a_callback_url_callbacks_stay_queued(send, order, people):
    close(received(send, order()), people)
    outbox_relay()
    assert callbacks_send() == {
        "callbacks_sent": 0,
        "callbacks_acknowledged": 0,
        "callbacks_failed": 0,
    }
    assert Callback.objects.get().attempts == 0
