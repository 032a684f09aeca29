"""Duplicates: earlier reports of the same thing, found by indexed candidate queries.

Read by routing (a batch at a time, rumors.services.routing) and by staff on a report's page;
the link, the account and the text each have their own index (migrations 0017, 0018).
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import (
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext

from ..matching import account_normalise, text_similarity
from ..models import (
    OPEN_STATUSES,
    Report,
)


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
