"""Reads for the public publicity of penalty decisions (执法公示, Art. 48); nothing writes.

What the public may read is `Publication.content`, the redacted copy made at decision
time, and the publication's own dates. The case row is never read for display: the one
exception is masking the withdrawal reason (typed by an officer at revocation, and not
redacted when stored), which looks up the party's name only to hide it.
"""

import hashlib
import uuid
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, F, Max, Q, QuerySet
from django.utils import timezone

from chengguan.org.models import Region
from chengguan.penalties.models import Publication
from chengguan.penalties.publicity import redact
from chengguan.powers.models import Power

PAGE_SIZE = 25
OPEN_DATA_PAGE_SIZE = 5000
QUERY_MAX = 50
# The content keys, in the order the detail page and the open data show them.
CONTENT_KEYS = (
    "decision_number",
    "party",
    "party_kind",
    "power_code",
    "power",
    "facts",
    "place",
    "basis",
    "penalty",
    "agency",
    "decided_on",
)


@dataclass(frozen=True)
class Filters:
    """The list's filters, read leniently: an unknown district or code matches nothing."""

    region: str = ""
    power: str = ""
    q: str = ""

    @classmethod
    def from_query(cls, params) -> "Filters":
        return cls(
            region=params.get("region", "").strip()[:12],
            power=params.get("power", "").strip()[:40],
            q=params.get("q", "").strip()[:QUERY_MAX],
        )

    @property
    def active(self) -> bool:
        return bool(self.region or self.power or self.q)

    def query(self) -> dict[str, str]:
        """The non-empty filters, for links that keep them (paging, open data)."""
        return {
            k: v for k, v in (("region", self.region), ("power", self.power), ("q", self.q)) if v
        }


def _published() -> QuerySet[Publication]:
    return Publication.objects.filter(published_at__isnull=False)


def publications_public(filters: Filters = Filters()) -> QuerySet[Publication]:
    """Published, not withdrawn publications matching `filters`, newest first."""
    rows = _published().filter(withdrawn_at__isnull=True)
    if filters.region:
        rows = rows.filter(region_code=filters.region)
    if filters.power:
        rows = rows.filter(content__power_code=filters.power)
    if filters.q:
        rows = rows.filter(
            Q(content__facts__icontains=filters.q)
            | Q(content__power__icontains=filters.q)
            | Q(content__party__icontains=filters.q)
            | Q(decision_number__icontains=filters.q)
        )
    return rows.only(
        "pk", "region_code", "decision_number", "content", "decided_on", "published_at"
    ).order_by("-published_at", "-decided_on", "-pk")


def publications_withdrawn(filters: Filters = Filters()) -> QuerySet[Publication]:
    """Once-published decisions since withdrawn, newest withdrawal first, for mirrors to
    remove. Only the district and power filters apply: a withdrawn text is not searched."""
    rows = _published().filter(withdrawn_at__isnull=False)
    if filters.region:
        rows = rows.filter(region_code=filters.region)
    if filters.power:
        rows = rows.filter(content__power_code=filters.power)
    return rows.only("pk", "decision_number", "withdrawn_at").order_by("-withdrawn_at", "-pk")


def publication_find(key: str) -> Publication | None:
    """A once-published publication by its UUID or its decision number (the live one
    first if a number was ever used twice); None if never published."""
    key = (key or "").strip()
    if not key:
        return None
    try:
        pk = uuid.UUID(key)
    except ValueError:
        rows = _published().filter(decision_number=key)
    else:
        rows = _published().filter(pk=pk)
    return rows.order_by(F("withdrawn_at").asc(nulls_first=True), "-published_at").first()


def withdrawal_reason(publication: Publication) -> str:
    """The withdrawal reason fit for the public: ID and phone numbers removed, the party's
    name masked (the reason was typed freely at revocation)."""
    if not publication.withdraw_reason:
        return ""
    kind, name = (
        Publication.objects.filter(pk=publication.pk)
        .values_list("case__party_kind", "case__party_name")
        .get()
    )
    return redact(publication.withdraw_reason, party_kind=kind, party_name=name)


def districts() -> dict[str, str]:
    """Code → name of the county-level units (counties, districts and zones)."""
    kinds = [Region.Kind.COUNTY, Region.Kind.ZONE]
    return dict(Region.objects.filter(kind__in=kinds).order_by("code").values_list("code", "name"))


def published_powers() -> list[tuple[str, str]]:
    """(code, name) of the powers that have a live publication, in power-list order."""
    codes = set(
        _published()
        .filter(withdrawn_at__isnull=True)
        .values_list("content__power_code", flat=True)
        .distinct()
    )
    codes.discard(None)
    return list(
        Power.objects.filter(code__in=codes).order_by("order", "code").values_list("code", "name")
    )


def open_data_version() -> tuple[datetime | None, str]:
    """When the publicity last changed (the latest publication or withdrawal) and a tag
    that also changes when a row arrives without moving the latest time."""
    stats = _published().aggregate(
        n=Count("pk"),
        withdrawn=Count("withdrawn_at"),
        last_published=Max("published_at"),
        last_withdrawn=Max("withdrawn_at"),
    )
    stamps = [s for s in (stats["last_published"], stats["last_withdrawn"]) if s]
    last = max(stamps) if stamps else None
    tag = f"{stats['n']}-{stats['withdrawn']}-{last.timestamp() if last else 0}"
    return last, hashlib.sha256(tag.encode()).hexdigest()[:32]


def publication_record(publication: Publication) -> dict:
    """One decision as open data: the content keys only, plus the publication's id and
    dates (so a mirror can key, date and remove it)."""
    content = publication.content or {}
    return {
        "id": str(publication.pk),
        **{key: content.get(key, "") for key in CONTENT_KEYS},
        "region_code": publication.region_code,
        "published_at": timezone.localtime(publication.published_at).isoformat(),
    }
