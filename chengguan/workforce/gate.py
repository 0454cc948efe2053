"""The enforcement gate as a service (C3): reads what the register knows about a person
and asks the pure rules in `domain.gate`. Every enforcing action (penalty cases, on-the-spot
penalties) calls `enforcer_check` for the acting user, so the rule lives in one place."""

from datetime import date

from chengguan.core.errors import Forbidden, gettext_noop
from chengguan.workforce.domain.gate import (
    CertificateFacts,
    EnforcerFacts,
    Kind,
    Result,
    check_enforcer,
    check_task,
)
from chengguan.workforce.models import Certificate, Person


def enforcer_facts(person: Person, on: date) -> EnforcerFacts:
    """The person's certificates and the latest assessment known on `on` (a result for a
    later year cannot bar an act done before it was given)."""
    latest = person.assessments.filter(year__lte=on.year).order_by("-year").first()
    return EnforcerFacts(
        name=person.name,
        kind=Kind(person.kind),
        active=person.active,
        certificates=tuple(
            CertificateFacts(
                number=c.number,
                issued_on=c.issued_on,
                expires_on=c.expires_on,
                in_force=c.status == Certificate.Status.VALID,
            )
            for c in person.certificates.all()
        ),
        latest_assessment=Result(latest.result) if latest else None,
    )


def person_enforcer_check(person: Person, on: date) -> Certificate:
    """The certificate `person` enforces under on `on`, or Forbidden saying why not."""
    facts = check_enforcer(enforcer_facts(person, on), on)
    return person.certificates.get(number=facts.number)


def enforcer_check(user, on: date) -> Certificate:
    """May this platform user enforce on `on`? Refused when the user is not registered in
    the workforce: an account alone never makes anyone an enforcer."""
    # An anonymous user has no pk: never look for the people who have no account.
    pk = getattr(user, "pk", None)
    person = Person.objects.filter(user_id=pk).first() if pk is not None else None
    if person is None:
        raise Forbidden(gettext_noop("您不在执法队伍登记中，不能执法"))
    return person_enforcer_check(person, on)


def assisting_task_check(person: Person, task: str) -> None:
    """May `person` be given `task`? An auxiliary only assisting tasks (clause 十三)."""
    check_task(Kind(person.kind), task)
