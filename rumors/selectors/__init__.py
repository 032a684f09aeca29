"""Every read of the report desk that is more than a lookup, scoped in one place.

Duplicate detection's reads are in ``duplicates`` and read from here as before.
"""

import hashlib

from django.conf import settings
from django.db import connection
from django.db.models import (
    Avg,
    Count,
    Exists,
    F,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
)
from django.utils import timezone

from wenzhou_portal.citizen_auth import is_citizen
from wenzhou_portal.metrics import metric_reading
from wenzhou_portal.roles import Role

from ..matching import account_normalise, text_similarity, url_normalise
from ..models import (
    CLOSED_STATUSES,
    OPEN_STATUSES,
    Debunk,
    DebunkCategory,
    DebunkDistrict,
    DebunkTag,
    Department,
    Report,
    ReportEvent,
    RoutingState,
    Status,
)
from .duplicates import (  # noqa: F401  (the package's public reads)
    Match,
    duplicate_window_flag_cutoff,
    report_cluster_root,
    report_duplicate_candidates,
    report_duplicate_strongest,
    reports_ancestry,
    reports_duplicate_strongest,
    reports_with_heat,
    trigram_threshold_set,
)


def is_office_admin(user) -> bool:
    """Office admins (and superusers) see and act on every report."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser:
        return True
    cached = getattr(user, "_is_office_admin", None)
    if cached is None:
        cached = user.groups.filter(name=Role.OFFICE_ADMIN).exists()
        user._is_office_admin = cached
    return cached


def is_auditor(user) -> bool:
    return (
        getattr(user, "is_authenticated", False) and user.groups.filter(name=Role.AUDITOR).exists()
    )


def user_department_ids(user) -> set[int]:
    if not getattr(user, "is_authenticated", False):
        return set()
    cached = getattr(user, "_department_ids", None)
    if cached is None:
        cached = set(user.departments.filter(is_active=True).values_list("pk", flat=True))
        user._department_ids = cached
    return cached


def debunk_authorities_for(user) -> QuerySet[Department]:
    """The departments a user may issue debunks under: the office any, others their own."""
    if is_office_admin(user):
        return Department.objects.all()
    return Department.objects.filter(pk__in=user_department_ids(user), is_active=True)


def debunk_authority_permitted(user, department_id: int | None) -> bool:
    """May this user issue a debunk under this department (as ``debunk_authorities_for``)?"""
    if department_id is None:
        return False
    return is_office_admin(user) or department_id in user_department_ids(user)


def debunks_visible_to(user, debunks: QuerySet[Debunk] | None = None) -> QuerySet[Debunk]:
    """Office admins see every debunk; others those issued under their departments, and
    every draft they wrote (even if the office moved it to another department since)."""
    debunks = Debunk.objects.all() if debunks is None else debunks
    if not getattr(user, "is_authenticated", False):
        return debunks.none()
    if is_office_admin(user):
        return debunks
    return debunks.filter(Q(authority__in=user_department_ids(user)) | Q(created_by=user))


def reports_visible_to(user) -> QuerySet[Report]:
    """Office admins and auditors see all reports; a department sees what it leads or co-handles."""
    reports = Report.objects.select_related("lead_department")
    if not getattr(user, "is_authenticated", False) or not user.is_staff:
        return reports.none()
    if is_office_admin(user) or is_auditor(user):
        return reports
    departments = user_department_ids(user)
    if not departments:
        return reports.none()
    visible = Report.objects.filter(
        Q(lead_department__in=departments) | Q(co_handlers__in=departments)
    ).values("pk")
    return reports.filter(pk__in=visible)


def reports_overdue(reports: QuerySet[Report]) -> QuerySet[Report]:
    return reports.filter(
        status__in=OPEN_STATUSES, paused_at__isnull=True, due_at__lt=timezone.now()
    )


def reports_of_citizen(user) -> QuerySet[Report]:
    """A signed-in citizen's own reports, newest first; nothing for anyone else."""
    if not is_citizen(user):
        return Report.objects.none()
    return Report.objects.filter(reporter=user).order_by("-created_at", "-pk")


def report_by_tracking_code(code: str | None) -> Report | None:
    if not code:
        return None
    # The debunks come along: the tracking page says when the one answering it is withdrawn.
    return (
        Report.objects.select_related(
            "lead_department", "merged_into", "debunk", "merged_into__debunk"
        )
        .filter(tracking_code=code)
        .first()
    )


def report_public_timeline(report: Report) -> list[dict]:
    """What the citizen may see: steps with public text only, never internal notes."""
    events = (
        ReportEvent.objects.filter(report=report)
        .exclude(public_text="")
        .only("created_at", "kind", "to_status", "public_text")
    )
    return [
        {
            "at": event.created_at,
            "kind": event.kind,
            "kind_label": event.get_kind_display(),
            "public_status": (
                Report(status=event.to_status).public_status.label if event.to_status else ""
            ),
            "text": event.public_text,
        }
        for event in events
    ]


def report_public_outcome(report: Report) -> str:
    """The feedback a citizen sees; a merged report shows its primary's outcome."""
    if report.status == Status.MERGED and report.merged_into is not None:
        primary = report.merged_into
        if primary.status in (Status.RESOLVED, Status.REJECTED):
            return primary.public_feedback
        return ""
    return report.public_feedback


# --- Debunks ---------------------------------------------------------------------------


def _debunks_ever_published() -> QuerySet[Debunk]:
    return Debunk.objects.filter(
        is_published=True, published_at__lte=timezone.now()
    ).prefetch_related("district_links", "category_links", "tag_links")


def debunks_published() -> QuerySet[Debunk]:
    """Debunks the public sees: published, and not withdrawn."""
    return _debunks_ever_published().filter(withdrawn_at__isnull=True)


def debunk_public_by_slug(slug: str) -> Debunk | None:
    """A published debunk by its address, withdrawn ones included (they answer 410)."""
    return (
        _debunks_ever_published()
        .select_related("authority")
        .prefetch_related("sources", "appearances", "tag_links")
        .filter(slug=slug)
        .first()
    )


def debunks_search(
    *,
    q: str = "",
    verdict: str = "",
    category: str = "",
    district: str = "",
    date_from=None,
    date_to=None,
) -> QuerySet[Debunk]:
    """Published debunks matching a free-text query and filters; any string is safe."""
    debunks = debunks_published().select_related("authority")
    q = " ".join(q.split())[:100]
    if q:
        text = Q(title__icontains=q) | Q(claim__icontains=q) | Q(summary__icontains=q)
        text |= Q(title_en__icontains=q) | Q(claim_en__icontains=q) | Q(summary_en__icontains=q)
        text |= Q(keywords__icontains=q)
        tags = DebunkTag.objects.filter(Q(name__icontains=q) | Q(name_en__icontains=q))
        text |= Q(Exists(tags.filter(debunk=OuterRef("pk"))))
        if connection.vendor == "postgresql":
            # Trigram similarity catches near matches a substring search misses.
            text |= Q(title__trigram_similar=q) | Q(claim__trigram_similar=q)
        debunks = debunks.filter(text)
    if verdict:
        debunks = debunks.filter(verdict=verdict)
    if category:
        debunks = debunks.filter(category_links__category=category)
    if district:
        debunks = debunks.filter(district_links__district=district)
    if date_from:
        debunks = debunks.filter(published_at__date__gte=date_from)
    if date_to:
        debunks = debunks.filter(published_at__date__lte=date_to)
    return debunks.order_by("-published_at", "-pk")


def debunks_related(debunk: Debunk, *, limit: int = 3) -> list[Debunk]:
    """Other published debunks on the same categories or districts."""
    categories, districts = debunk.category_codes, debunk.district_codes
    if not categories and not districts:
        return []
    overlap = Q(
        Exists(DebunkCategory.objects.filter(debunk=OuterRef("pk"), category__in=categories))
    )
    overlap |= Q(
        Exists(DebunkDistrict.objects.filter(debunk=OuterRef("pk"), district__in=districts))
    )
    return list(debunks_published().exclude(pk=debunk.pk).filter(overlap)[:limit])


def debunks_resembling(
    *, text: str, url: str = "", account: str = "", limit: int = 3
) -> list[Debunk]:
    """Published debunks a report (or a text being typed) is probably about."""
    text = text[:2000]
    url_key, account_key = url_normalise(url), account_normalise(account)
    scored = []
    candidates = debunks_published().prefetch_related("appearances")[:DEBUNK_CANDIDATES]
    for debunk in candidates:
        score = text_similarity(text, f"{debunk.title} {debunk.claim}") if text else 0.0
        if text and any(word in text for word in debunk.keyword_list):
            score = max(score, 0.5)
        for appearance in debunk.appearances.all():
            if url_key and url_normalise(appearance.url) == url_key:
                score = 1.0
            if account_key and account_normalise(appearance.account) == account_key:
                score = max(score, 0.9)
        if score >= settings.DUPLICATE_SUGGEST_THRESHOLD:
            scored.append((score, debunk))
    scored.sort(key=lambda pair: (-pair[0], -pair[1].pk))
    return [debunk for _score, debunk in scored[:limit]]


DEBUNK_CANDIDATES = 500


def _label_debunks(since) -> QuerySet[Debunk]:
    # Withdrawn debunks stay in the feed as tombstones, so that pollers learn of it.
    debunks = _debunks_ever_published()
    if since is not None:
        debunks = debunks.filter(updated_at__gt=since)
    return debunks


def debunk_labels(*, since=None) -> list[dict]:
    """The label feed: per published debunk, what a platform needs to tag a post.

    A withdrawn debunk is a tombstone: the same id, ``"withdrawn": true``, when and why,
    and none of the withdrawn content.
    """
    debunks = _label_debunks(since).select_related("authority").prefetch_related("appearances")
    return [
        _label_tombstone(debunk) if debunk.is_withdrawn else _label(debunk)
        for debunk in debunks.order_by("updated_at", "pk")
    ]


def _label_id(debunk: Debunk) -> str:
    return f"wenzhou-debunk-{debunk.pk}"


def _label(debunk: Debunk) -> dict:
    return {
        "id": _label_id(debunk),
        "status": "active",
        "withdrawn": False,
        "claim": debunk.claim,
        "claim_en": debunk.claim_en,
        "keywords": debunk.keyword_list,
        "urls": [a.url for a in debunk.appearances.all() if a.url],
        "accounts": [
            {"platform": a.platform, "account": a.account}
            for a in debunk.appearances.all()
            if a.account
        ],
        "verdict": debunk.verdict,
        "verdict_label": str(debunk.get_verdict_display()),
        "authority": debunk.authority.name,
        "authority_en": debunk.authority.name_en,
        "valid_from": debunk.published_at,
        "updated_at": debunk.updated_at,
        "url": settings.SITE_URL + debunk.get_absolute_url(),
    }


def _label_tombstone(debunk: Debunk) -> dict:
    return {
        "id": _label_id(debunk),
        "status": "withdrawn",
        "withdrawn": True,
        "withdrawn_at": debunk.withdrawn_at,
        "withdrawal_reason": debunk.withdrawal_reason,
        "withdrawal_reason_en": debunk.withdrawal_reason_en,
        "authority": debunk.authority.name,
        "authority_en": debunk.authority.name_en,
        "valid_from": debunk.published_at,
        "updated_at": debunk.updated_at,
        "url": settings.SITE_URL + debunk.get_absolute_url(),
    }


def debunk_labels_version(*, since=None) -> tuple[str, object]:
    """An ETag and Last-Modified for the label feed, from one aggregate query.

    A withdrawal changes both (it counts, and it moves ``updated_at``), so a conditional
    GET after it answers 200 with the tombstone rather than 304.
    """
    state = _label_debunks(since).aggregate(
        count=Count("pk"),
        withdrawn=Count("pk", filter=Q(withdrawn_at__isnull=False)),
        latest_change=Max("updated_at"),
        # A debunk dated in the future joins the feed when its time comes, unchanged.
        latest_publication=Max("published_at"),
    )
    moments = [state["latest_change"], state["latest_publication"]]
    last_modified = max((moment for moment in moments if moment is not None), default=None)
    tag = (
        f"{state['count']}:{state['withdrawn']}:{state['latest_change']}:"
        f"{state['latest_publication']}:{since}"
    )
    return f'"{hashlib.sha256(tag.encode()).hexdigest()[:32]}"', last_modified


# --- For the clean-network index ---------------------------------------------------------


def district_report_figures(*, start, end) -> dict[str, dict]:
    """Per district, for reports received in [start, end): counts the index builds rates from.

    One grouped aggregate query; districts without reports are absent.
    """
    rows = (
        Report.objects.filter(created_at__gte=start, created_at__lt=end)
        .exclude(district="")
        .values("district")
        .annotate(
            received=Count("pk"),
            closed=Count("pk", filter=Q(status__in=CLOSED_STATUSES)),
            with_due=Count("pk", filter=Q(status__in=CLOSED_STATUSES, due_at__isnull=False)),
            on_time=Count(
                "pk",
                filter=Q(
                    status__in=CLOSED_STATUSES, due_at__isnull=False, closed_at__lte=F("due_at")
                ),
            ),
            working_days_to_close=Avg("working_days_to_close"),
            rated=Count("pk", filter=~Q(rating="")),
            satisfied=Count("pk", filter=Q(rating__in=["satisfied", "fairly"])),
            last_updated=Max("updated_at"),
        )
    )
    return {row.pop("district"): row for row in rows}


# --- Figures for the operators' metrics (wenzhou_portal/metrics.py) -------------------------


@metric_reading(
    "portal_reports_awaiting_routing",
    "Reports received and not yet routed (on the routing queue or waiting for its sweeper).",
)
def reports_awaiting_routing_count() -> int:
    """How many reports wait for routing."""
    return Report.objects.filter(routing_state=RoutingState.PENDING).count()


@metric_reading(
    "portal_reports_awaiting_routing_oldest_seconds",
    "How long the oldest report waiting for routing has waited (0: none waits).",
)
def reports_awaiting_routing_oldest_seconds() -> float:
    """Seconds since the oldest report still waiting for routing arrived; 0 if none waits."""
    oldest = Report.objects.filter(routing_state=RoutingState.PENDING).aggregate(
        oldest=Min("created_at")
    )["oldest"]
    return max((timezone.now() - oldest).total_seconds(), 0.0) if oldest else 0.0


@metric_reading(
    "portal_reports_overdue",
    "Open reports past their handling deadline, by lead department.",
    labels=("department",),
)
def overdue_reports_by_department() -> dict[str, int]:
    """Overdue reports per lead department (reports_overdue); every active department, with 0."""
    counts = dict(
        reports_overdue(Report.objects.all())
        .order_by()
        .values_list("lead_department")
        .annotate(count=Count("pk"))
    )
    departments = Department.objects.filter(
        Q(is_active=True) | Q(pk__in=[pk for pk in counts if pk is not None])
    ).values_list("pk", "name")
    return {name: counts.get(pk, 0) for pk, name in departments}
