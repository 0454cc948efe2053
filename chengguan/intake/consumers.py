"""Tell the partners what became of their work orders: the outbox relay hands every
committed case event here, and the ones a partner must hear about become callbacks
(sent by `sweeps.callbacks_send`). Runs after the change committed, at least once: every
callback is queued under a unique key, so a relay that runs twice queues nothing twice.

Which events, and why (docs/exchange.md): closed (the answer the partner waits for),
merged (another case now carries the order), referred (a police matter: the order leaves
the city), reopened (a closed order is back in hand), voided and rejected (the order will
not be handled, with the reason). Steps in between (dispatch, handling) stay internal.
"""

from chengguan.cases.models import Case, CaseEvent
from chengguan.cases.selectors import cases_following
from chengguan.core.models import OutboxEvent
from chengguan.intake.domain import PARTNER_110
from chengguan.intake.models import Callback, WorkOrder
from chengguan.intake.services import (
    callbacks_for_event,
    partner_config,
    referral_queue,
)

TOPIC_EVENTS = {
    "case.close": Callback.Event.CLOSED,
    "case.merge": Callback.Event.MERGED,
    "case.refer_police": Callback.Event.REFERRED,
    "case.reopen": Callback.Event.REOPENED,
    "case.void": Callback.Event.VOIDED,
    "case.reject": Callback.Event.REJECTED,
}


def callbacks_enqueue(event: OutboxEvent) -> None:
    kind = TOPIC_EVENTS.get(event.topic)
    if kind is None:
        return
    case = (
        Case.objects.select_related("category", "merged_into")
        .filter(pk=event.payload.get("case_id"))
        .first()
    )
    happened = CaseEvent.objects.filter(pk=event.payload.get("event_id"), case=case).first()
    if case is None or happened is None:
        return
    callbacks_for_event(case=case, event=kind, happened=happened)
    if kind is Callback.Event.REFERRED and _refer_to_110(case):
        referral_queue(case=case, happened=happened)


def _refer_to_110(case: Case) -> bool:
    """A referral goes to 110 as a work order of ours while the exchange with 110 is on,
    unless 110 sent the matter in the first place: then the "referred" callback on their
    own transfer already hands it back."""
    return (
        partner_config(PARTNER_110).enabled
        and not WorkOrder.objects.filter(
            case__in=cases_following(case),
            partner=PARTNER_110,
            direction=WorkOrder.Direction.IN,
        ).exists()
    )
