"""Every read of the report desk that is more than a lookup, scoped in one place."""

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import (
    Avg,
    Count,
    Exists,
    F,
    Func,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext

from wenzhou_portal.citizen_auth import is_citizen
from wenzhou_portal.metrics import metric_reading
from wenzhou_portal.roles import Role

from .matching import account_normalise, text_similarity, url_normalise
from .models import (
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


# --- Duplicates and debunks ------------------------------------------------------------


@dataclass(frozen=True)
class Match:
    report: Report
    score: float
    reason: str


# Housekeeping clears ``Report.in_duplicate_window`` this long after a report leaves the
# window, so a report received within this margin finds its whole window still flagged.
DUPLICATE_WINDOW_MARGIN = timedelta(days=1)


def duplicate_window_flag_cutoff(now: datetime) -> datetime:
    """Reports received before this may be out of the partial trigram index (flag cleared)."""
    return now - timedelta(days=settings.DUPLICATE_WINDOW_DAYS) - DUPLICATE_WINDOW_MARGIN


def _window_flagged(report: Report, now: datetime) -> bool:
    # Every report this one may repeat still carries the flag: the text probe may search
    # the flagged reports only. False for a report routed over a day late (an outage).
    return report.created_at >= now - DUPLICATE_WINDOW_MARGIN


def _earlier_in_window(report: Report) -> QuerySet[Report]:
    window = timedelta(days=settings.DUPLICATE_WINDOW_DAYS)
    return Report.objects.exclude(pk=report.pk).filter(
        created_at__gte=report.created_at - window, created_at__lte=report.created_at
    )


def _same_link_or_account(report: Report, earlier: QuerySet[Report], limit: int) -> list[Match]:
    # Indexed lookups: (normalized_url, created_at) and (platform, normalized_account,
    # created_at), newest first, so a link reported ten thousand times costs one index probe.
    matches: list[Match] = []
    if report.normalized_url:
        same_link = earlier.filter(normalized_url=report.normalized_url).order_by("-created_at")
        matches += [Match(other, 1.0, gettext("同一网址")) for other in same_link[:limit]]
    account = report.normalized_account or account_normalise(report.account)
    if account:
        same_account = earlier.filter(platform=report.platform, normalized_account=account)
        found = {match.report.pk for match in matches}
        matches += [
            Match(other, 1.0, gettext("同一账号"))
            for other in same_account.order_by("-created_at")[:limit]
            if other.pk not in found
        ]
    return matches


def report_duplicate_candidates(report: Report, *, limit: int = 5) -> list[Match]:
    """Earlier reports of the same thing: same link, same account, or similar text."""
    earlier = _earlier_in_window(report).select_related("lead_department")
    matches = {match.report.pk: match for match in _same_link_or_account(report, earlier, limit)}
    threshold = settings.DUPLICATE_SUGGEST_THRESHOLD
    with transaction.atomic():  # the trigram threshold is set for this transaction only
        trigram_threshold_set(threshold)
        similar = _similar_texts(earlier, report.content, threshold, limit)
    for other, score in similar:
        if other.pk not in matches:
            matches[other.pk] = Match(
                other, score, gettext("内容相似度 %(score)d%%") % {"score": round(score * 100)}
            )
    return sorted(matches.values(), key=lambda m: (-m.score, m.report.created_at))[:limit]


def report_duplicate_strongest(report: Report, *, threshold: float) -> Match | None:
    """The earlier report a new one most surely repeats (for linking it automatically).

    A shared link or account is certain and ends the search; otherwise the most similar
    text at or above ``threshold``. On PostgreSQL the caller's transaction must have set
    the trigram threshold (``trigram_threshold_set``), once for a whole batch.
    """
    earlier = _earlier_in_window(report)
    certain = _same_link_or_account(report, earlier, 1)
    if certain:
        return certain[0]
    if _window_flagged(report, timezone.now()):
        earlier = earlier.filter(in_duplicate_window=True)  # the partial trigram index
    similar = _similar_texts(earlier, report.content, threshold, 1)
    if not similar:
        return None
    other, score = similar[0]
    return Match(other, score, gettext("内容相似度 %(score)d%%") % {"score": round(score * 100)})


# Per report of a batch: the newest earlier report in the window with the same link, with
# the same account, and (only when neither matched) the most similar text, each a probe of
# its index: (normalized_url, created_at), (platform, normalized_account, created_at) and
# the partial trigram GIN index on the content of the reports in the window
# (``in_duplicate_window``; ``%%`` at the threshold set for the transaction), whose
# posting lists hold a month of reports rather than every report ever received.
# The text probe is fenced (OFFSET 0) so the exact window is checked on the few rows the
# GIN index returns, instead of AND-ing a bitmap of every report in the window.
_STRONGEST_DUPLICATES_SQL = """
    SELECT p.id, u.id, a.id, t.id, t.similarity
    FROM unnest(%s::bigint[], %s::text[], %s::text[], %s::text[], %s::text[],
                %s::timestamptz[]) AS p(id, url, platform, account, content, created_at)
    LEFT JOIN LATERAL (
        SELECT r.id FROM rumors_report r
        WHERE p.url <> '' AND r.normalized_url <> '' AND r.normalized_url = p.url
          AND r.created_at >= p.created_at - %s AND r.created_at <= p.created_at AND r.id <> p.id
        ORDER BY r.created_at DESC LIMIT 1
    ) u ON true
    LEFT JOIN LATERAL (
        SELECT r.id FROM rumors_report r
        WHERE p.account <> '' AND r.normalized_account <> ''
          AND r.platform = p.platform AND r.normalized_account = p.account
          AND r.created_at >= p.created_at - %s AND r.created_at <= p.created_at AND r.id <> p.id
        ORDER BY r.created_at DESC LIMIT 1
    ) a ON true
    LEFT JOIN LATERAL (
        SELECT c.id, similarity(c.content, p.content) AS similarity
        FROM (
            SELECT r.id, r.content, r.created_at FROM rumors_report r
            WHERE u.id IS NULL AND a.id IS NULL AND r.in_duplicate_window
              AND r.content %% p.content
            OFFSET 0
        ) c
        WHERE c.created_at >= p.created_at - %s AND c.created_at <= p.created_at AND c.id <> p.id
          AND similarity(c.content, p.content) >= %s
        ORDER BY 2 DESC, c.created_at LIMIT 1
    ) t ON true
"""


def reports_duplicate_strongest(reports: Sequence[Report], *, threshold: float) -> dict[int, Match]:
    """``report_duplicate_strongest`` for a batch of reports, by report id (those with a
    match only). On PostgreSQL one query answers the whole batch: per report, a lateral
    probe of the link index, of the account index and, only when neither matched, of the
    partial trigram index of the reports in the window; then the matched reports in one
    more. A report received over a day ago (routed late) is answered on its own, through
    the full trigram index, since part of its window may have left the partial one."""
    now = timezone.now()
    found = {}
    if connection.vendor == "postgresql":
        late = [report for report in reports if not _window_flagged(report, now)]
        reports = [report for report in reports if _window_flagged(report, now)]
    else:
        late, reports = list(reports), []
    for report in late:
        match = report_duplicate_strongest(report, threshold=threshold)
        if match is not None:
            found[report.pk] = match
    if not reports:
        return found
    window = timedelta(days=settings.DUPLICATE_WINDOW_DAYS)
    columns = (
        [report.pk for report in reports],
        [report.normalized_url for report in reports],
        [report.platform for report in reports],
        [report.normalized_account or account_normalise(report.account) for report in reports],
        [report.content for report in reports],
        [report.created_at for report in reports],
    )
    with connection.cursor() as cursor:
        cursor.execute(_STRONGEST_DUPLICATES_SQL, [*columns, window, window, window, threshold])
        rows = cursor.fetchall()
    matched = Report.objects.in_bulk(
        {other for row in rows for other in row[1:4] if other is not None}
    )
    for report_id, same_link, same_account, similar, score in rows:
        if same_link is not None:
            found[report_id] = Match(matched[same_link], 1.0, gettext("同一网址"))
        elif same_account is not None:
            found[report_id] = Match(matched[same_account], 1.0, gettext("同一账号"))
        elif similar is not None:
            found[report_id] = Match(
                matched[similar],
                float(score),
                gettext("内容相似度 %(score)d%%") % {"score": round(float(score) * 100)},
            )
    return found


def trigram_threshold_set(threshold: float) -> None:
    """Let PostgreSQL's ``%`` operator (and its GIN index) select at ``threshold``, until
    the current transaction ends; nothing elsewhere.

    JIT is turned off for the transaction too: the batch query's estimate makes
    PostgreSQL compile it, which costs more (~170 ms) than running it.
    """
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config('pg_trgm.similarity_threshold', %s, true),"
            " set_config('jit', 'off', true)",
            [str(threshold)],
        )


def _similar_texts(reports: QuerySet[Report], text: str, threshold: float, limit: int):
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import TrigramSimilarity

        # content %% text selects through the trigram GIN index at the threshold set for
        # the transaction; a bare similarity(...) >= x would compare every row in the window.
        similar = (
            reports.filter(content__trigram_similar=text)
            .annotate(similarity=TrigramSimilarity("content", text))
            .filter(similarity__gte=threshold)
            .order_by("-similarity", "created_at")[:limit]
        )
        return [(other, float(other.similarity)) for other in similar]
    # Elsewhere: character bigrams over the most recent reports in the window.
    scored = [
        (other, text_similarity(text, other.content))
        for other in reports.order_by("-created_at")[:NGRAM_CANDIDATES]
    ]
    scored = [(other, score) for other, score in scored if score >= threshold]
    return sorted(scored, key=lambda pair: -pair[1])[:limit]


NGRAM_CANDIDATES = 500


def report_cluster_root(
    report: Report,
    *,
    parents: dict[int, Report] | None = None,
    loaded: dict[int, Report] | None = None,
) -> Report:
    """The earliest report a report was linked or merged into (itself if none).

    ``parents`` holds links decided but not yet saved (a routing batch), by report id;
    ``loaded`` reports already read (``reports_ancestry``), so a walk costs no query.
    """
    parents, loaded = parents or {}, loaded or {}
    seen = {report.pk}
    while True:
        parent = parents.get(report.pk)
        if parent is None:
            parent_id = report.merged_into_id or report.duplicate_of_id
            if parent_id is None or parent_id in seen:
                return report
            parent = loaded.get(parent_id) or Report.objects.get(pk=parent_id)
        if parent.pk in seen:
            return report
        seen.add(parent.pk)
        report = parent


def reports_ancestry(reports: Iterable[Report]) -> dict[int, Report]:
    """These reports and every report they were linked or merged into, up to each root,
    by id: one query per level of the chains, not one per report."""
    loaded = {report.pk: report for report in reports}
    wanted = {r.merged_into_id or r.duplicate_of_id for r in loaded.values()} - {None}
    while wanted - loaded.keys():
        found = Report.objects.in_bulk(wanted - loaded.keys())
        if not found:
            break
        loaded.update(found)
        wanted = {r.merged_into_id or r.duplicate_of_id for r in found.values()} - {None}
    return loaded


def reports_with_heat(reports: QuerySet[Report]) -> QuerySet[Report]:
    """Annotate each report's heat: how many OPEN reports its duplicate cluster holds.

    The cluster is its primary (the report it was merged into or auto-linked to, else
    itself), the primary's linked duplicates and the reports merged into it; closed ones
    do not count. One correlated subquery per row, so a page of the list is one query.
    """
    root = OuterRef("cluster_root")
    open_members = (
        Report.objects.filter(status__in=OPEN_STATUSES)
        .filter(Q(pk=root) | Q(duplicate_of=root) | Q(merged_into=root))
        .order_by()
        .annotate(members=Func(F("pk"), function="COUNT"))
        .values("members")
    )
    return reports.annotate(
        cluster_root=Coalesce("merged_into_id", "duplicate_of_id", "pk"),
        heat=Coalesce(Subquery(open_members, output_field=IntegerField()), 0),
    )


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
