"""The report desk's tables: departments and rules, reports, their events, debunks."""

from datetime import datetime

from bench.loader_base import pick, sql_int_array, sql_text_array
from bench.vocabulary import (
    BURST_SHARE,
    BURST_STORIES_PER_DAY,
    CATEGORIES,
    CATEGORY_RULES,
    CLAIMS,
    CROCKFORD,
    DISTRICTS,
    PLATFORMS,
    REJECTION_REASONS,
    STORY_CLAIMS,
    STORY_DETAILS,
    STORY_SOURCES,
    STORY_SUBJECTS,
    STORY_TIMES,
    STORY_TOWNS,
    SUBJECTS,
    VERDICTS,
)


class ReportTables:
    def period_start(self) -> datetime:
        """The first day of the month 24 months before the current one (Asia/Shanghai)."""
        from django.utils import timezone

        local = timezone.localtime(self.now)
        year, month = local.year, local.month - 24
        while month < 1:
            year, month = year - 1, month + 12
        return datetime(year, month, 1, tzinfo=timezone.get_current_timezone())

    def departments_and_rules(self) -> dict:
        from rumors.demo import SECTOR_DEPARTMENTS
        from rumors.models import Department, DepartmentKind, RoutingRule

        office, _ = Department.objects.get_or_create(
            kind=DepartmentKind.OFFICE, defaults={"name": "温州市委网信办"}
        )
        departments = {"office": office.pk}
        for code, name in DISTRICTS:
            department, _ = Department.objects.get_or_create(
                name=f"{name}委网信办",
                defaults={"kind": DepartmentKind.DISTRICT_OFFICE, "district": code},
            )
            departments[code] = department.pk
            RoutingRule.objects.get_or_create(
                category="",
                platform="",
                district=code,
                is_active=True,
                defaults={"lead_department": department, "working_days": 5},
            )
        for key, name in SECTOR_DEPARTMENTS.items():
            department, _ = Department.objects.get_or_create(
                name=name, defaults={"kind": DepartmentKind.SECTOR}
            )
            departments[key] = department.pk
        for category, (lead, days) in CATEGORY_RULES.items():
            RoutingRule.objects.get_or_create(
                category=category,
                platform="",
                district="",
                is_active=True,
                defaults={"lead_department_id": departments[lead], "working_days": days},
            )
        self.counts["rumors_department"] = Department.objects.count()
        return departments

    def reports(
        self,
        departments: dict,
        *,
        first: int = 1,
        count: int | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
        pending: bool = False,
    ) -> None:
        """Reports ``first`` to ``first + count - 1``, received evenly over [start, end).

        The city's history by default, in every state; ``pending`` makes just-received
        reports that wait for routing, as the routing benchmark needs.
        """
        from rumors.models import Report
        from rumors.selectors import duplicate_window_flag_cutoff

        n = self.sizes["reports"] if count is None else count
        start = start or self.period_start()
        span = ((end or self.now) - start).total_seconds() - (0 if pending else 3600)
        codes = [code for code, _name in DISTRICTS]
        district_codes = sql_text_array(codes)
        district_names = sql_text_array([name for _code, name in DISTRICTS])
        offices = sql_int_array([departments[code] for code in codes])
        hosts = sql_text_array([host for _platform, host in PLATFORMS])
        platforms = sql_text_array([platform for platform, _host in PLATFORMS])
        # 16 Crockford characters: 6 from a hash (codes do not sort by age) and 10 from the
        # row number (so they are unique), as 80 bits like the real ones.
        alphabet = f"'{CROCKFORD}'"
        chars = [
            f"substr({alphabet}, (((s.code_hash >> {5 * k}) & 31) + 1)::int, 1)" for k in range(6)
        ] + [f"substr({alphabet}, (((s.g >> {5 * k}) & 31) + 1)::int, 1)" for k in range(9, -1, -1)]
        inner = f"""
            (SELECT g, d, p, bucket, code_hash, to_timestamp(epoch) AS created,
                    CASE WHEN mod(h_story, 100) < {BURST_SHARE}
                         THEN floor((epoch - {self.period_start().timestamp()}) / 86400)::bigint
                              * {BURST_STORIES_PER_DAY} + mod(h_story / 100, {BURST_STORIES_PER_DAY})
                         ELSE 1000000000 + g END AS story,
                    CASE WHEN {"true" if pending else "false"} THEN 'received'
                         WHEN bucket < 2 THEN 'received' WHEN bucket < 4 THEN 'triage'
                         WHEN bucket < 8 THEN 'routed' WHEN bucket < 13 THEN 'in_progress'
                         WHEN bucket < 15 THEN 'waiting_reporter' WHEN bucket < 17 THEN 'review'
                         WHEN bucket < 32 THEN 'rejected' WHEN bucket < 40 AND g > 1 THEN 'merged'
                         ELSE 'resolved' END AS status,
                    h_close, h_rating, h_url, h_account, h_text, h_category
             FROM (SELECT g,
                          {start.timestamp()} + (g - {first}) * {span / n}
                              + mod({self.h(6)}, {1 if pending else 600}) AS epoch,
                          {self.h(8)} AS h_story,
                          1 + mod({self.h(1)}, 12) AS d,
                          1 + mod({self.h(3)}, 10) AS p,
                          mod({self.h(4)}, 100) AS bucket,
                          {self.h(13)} AS code_hash,
                          {self.h(2)} AS h_category,
                          {self.h(5)} AS h_close,
                          {self.h(7)} AS h_rating,
                          {self.h(9)} AS h_url,
                          {self.h(10)} AS h_account,
                          {self.h(12)} AS h_text
                   FROM generate_series({first}, {first + n - 1}) AS g) AS hashed) AS s
        """  # noqa: S608  our own constants and numbers, no outside input
        closed = "s.status IN ('resolved', 'rejected', 'merged')"
        close_days = "(1 + mod(s.h_close, 14))"
        closed_at = (
            f"CASE WHEN {closed} THEN LEAST(s.created + {close_days} * interval '1 day', "
            f"'{self.now.isoformat()}'::timestamptz) END"
        )
        handled = "s.status NOT IN ('received', 'triage')"
        routed_at = "CASE WHEN s.status <> 'received' THEN s.created + interval '2 minutes' END"
        rating = (
            "CASE WHEN s.status = 'review' THEN 'unsatisfied' "
            "WHEN s.status = 'resolved' AND mod(s.h_rating, 10) < 6 THEN "
            + pick(
                sql_text_array(["satisfied", "satisfied", "fairly", "unsatisfied"]),
                "(s.h_rating / 10)",
                4,
            )
            + " ELSE '' END"
        )
        path = "'/p/' || mod(s.h_url, 200000)"
        account = "CASE WHEN mod(s.h_account, 5) = 0 THEN '用户' || mod(s.h_account / 5, 50000) ELSE '' END"
        content = self.story_text("s.story", f"({district_names})[s.d]")
        columns = {
            "id": "s.g",
            "tracking_code": " || ".join(chars),
            "public_id": f"md5('{self.seed}:report:' || s.g)::uuid",
            "category": pick(sql_text_array(CATEGORIES), "s.h_category", len(CATEGORIES)),
            "platform": f"({platforms})[s.p]",
            "url": f"'https://' || ({hosts})[s.p] || {path}",
            "normalized_url": f"({hosts})[s.p] || {path}",
            "account": account,
            # Duplicate detection's folded account (matching.account_normalise): these
            # accounts are folded already.
            "normalized_account": account,
            "place_description": "''",
            "content": content,
            "seen_at": "s.created - interval '3 hours'",
            "district": f"({district_codes})[s.d]",
            "contact_phone": "''",
            "contact_email": "''",
            "contact_consent": "false",
            "priority": "0",
            "status": "s.status",
            "routing_state": "'pending'" if pending else "'done'",
            "lead_department_id": (
                f"CASE WHEN s.status = 'triage' THEN {departments['office']} "
                f"WHEN s.status <> 'received' THEN ({offices})[s.d] END"
            ),
            "routed_at": routed_at,
            "due_at": f"CASE WHEN {handled} THEN s.created + interval '7 days' END",
            "first_response_at": (
                "CASE WHEN s.status IN ('in_progress', 'waiting_reporter', 'resolved', 'review') "
                "THEN s.created + interval '1 day' END"
            ),
            "working_days_to_first_response": (
                "CASE WHEN s.status IN ('in_progress', 'waiting_reporter', 'resolved', 'review') "
                "THEN 1 END"
            ),
            "closed_at": closed_at,
            "working_days_to_close": f"CASE WHEN {closed} THEN ({close_days} * 5) / 7 + 1 END",
            "merged_into_id": "CASE WHEN s.status = 'merged' THEN s.g - 1 END",
            "rejection_reason": (
                "CASE WHEN s.status = 'rejected' THEN "
                + pick(sql_text_array(REJECTION_REASONS), "s.h_close", len(REJECTION_REASONS))
                + " ELSE '' END"
            ),
            "public_feedback": (
                "CASE WHEN s.status = 'resolved' THEN '经核查，相关信息已由平台删除。' ELSE '' END"
            ),
            "rating": rating,
            "rating_comment": "''",
            "rated_at": (f"CASE WHEN ({rating}) <> '' THEN s.created + interval '15 days' END"),
            "review_requested_at": (
                "CASE WHEN s.status = 'review' THEN s.created + interval '16 days' END"
            ),
            "review_reason": "CASE WHEN s.status = 'review' THEN '信息仍然可以看到。' ELSE '' END",
            "review_outcome": "''",
            "created_at": "s.created",
            "updated_at": f"COALESCE({closed_at}, s.created + interval '2 minutes')",
            # As the daily housekeeping leaves it: only the window (and its day of margin)
            # in the duplicate probe's partial trigram index, rebuilt with the others.
            "in_duplicate_window": (
                f"s.created >= '{duplicate_window_flag_cutoff(self.now).isoformat()}'::timestamptz"
            ),
        }
        self.insert_select(Report, columns, inner)

    def story_text(self, story: str, district_name: str) -> str:
        """The SQL of a report's text about ``story``: one source, place, time, claim, detail."""

        def part(values: list[str], k: int) -> str:
            return pick(sql_text_array(values), self.h(70 + k, story), len(values))

        detail = self.h(76, story)
        prefixes = sql_text_array([prefix for prefix, _suffix in STORY_DETAILS])
        suffixes = sql_text_array([suffix for _prefix, suffix in STORY_DETAILS])
        chosen = f"1 + mod({detail}, {len(STORY_DETAILS)})"
        return (
            f"{part(STORY_SOURCES, 0)} || '，' || {district_name} || {part(STORY_TOWNS, 1)}"
            f" || {part(STORY_SUBJECTS, 2)} || {part(STORY_TIMES, 3)} || {part(STORY_CLAIMS, 4)}"
            f" || '，' || ({prefixes})[{chosen}] || (2 + mod({detail} / 100, 9998))"
            f" || ({suffixes})[{chosen}] || '。'"
        )

    def report_events(self, *, first: int = 1) -> None:
        """Each report's steps so far: submitted, routed (or triaged), closed."""
        from rumors.models import ReportEvent

        since = f"r.id >= {int(first)}"

        common = {
            "actor_id": "NULL",
            "internal_text": "''",
            "once_key": "''",
        }
        self.insert_select(
            ReportEvent,
            {
                **common,
                "report_id": "r.id",
                "kind": "'submitted'",
                "department_id": "NULL",
                "from_status": "''",
                "to_status": "'received'",
                "public_text": "'我们已收到您的举报，将尽快分办处理。'",
                "due_at": "NULL",
                "created_at": "r.created_at",
            },
            f"rumors_report AS r WHERE {since}",
        )
        self.insert_select(
            ReportEvent,
            {
                **common,
                "report_id": "r.id",
                "kind": "CASE WHEN r.status = 'triage' THEN 'triaged' ELSE 'routed' END",
                "department_id": "r.lead_department_id",
                "from_status": "'received'",
                "to_status": "CASE WHEN r.status = 'triage' THEN 'triage' ELSE 'routed' END",
                "public_text": "'您的举报已转交处置部门办理。'",
                "due_at": "r.due_at",
                "created_at": "r.routed_at",
            },
            f"rumors_report AS r WHERE {since} AND r.routed_at IS NOT NULL",
        )
        self.insert_select(
            ReportEvent,
            {
                **common,
                "report_id": "r.id",
                "kind": "r.status",
                "department_id": "r.lead_department_id",
                "from_status": "'in_progress'",
                "to_status": "r.status",
                "public_text": "CASE WHEN r.status = 'resolved' THEN r.public_feedback ELSE '已办结。' END",
                "due_at": "r.due_at",
                "created_at": "r.closed_at",
            },
            f"rumors_report AS r WHERE {since} AND r.closed_at IS NOT NULL",
        )

    def debunks(self, office_id: int) -> None:
        from rumors.models import Debunk, DebunkCategory, DebunkDistrict, DebunkTag

        n = self.sizes["debunks"]
        start = self.period_start()
        span = (self.now - start).total_seconds() - 3600
        names = sql_text_array([name for _code, name in DISTRICTS])
        subject = pick(sql_text_array(SUBJECTS), "s.h_text", len(SUBJECTS))
        claim = pick(sql_text_array(CLAIMS), "(s.h_text / 100)", len(CLAIMS))
        source = f"""
            (SELECT g, 1 + mod({self.h(21)}, 12) AS d, {self.h(22)} AS h_text,
                    mod({self.h(23)}, 200) AS bucket,
                    to_timestamp({start.timestamp()} + (g - 1) * {span / n}) AS t
             FROM generate_series(1, {n}) AS g) AS s
        """  # noqa: S608  our own constants and numbers, no outside input
        published = "s.bucket >= 10"
        self.insert_select(
            Debunk,
            {
                "id": "s.g",
                "title": f"'关于“' || ({names})[s.d] || {subject} || {claim} || '”的说明（' || s.g || '）'",
                "title_en": "''",
                "slug": "'bench-debunk-' || s.g",
                "claim": f"({names})[s.d] || {subject} || {claim}",
                "claim_en": "''",
                "verdict": pick(sql_text_array(VERDICTS), "s.h_text / 1000", len(VERDICTS)),
                "summary": f"'经核查，网传“' || ({names})[s.d] || {subject} || {claim} || '”与事实不符，请勿转发。'",
                "summary_en": "''",
                "body": f"'## 核查经过\n\n' || ({names})[s.d] || {subject} || '相关部门已作说明。'",
                "body_en": "''",
                "authority_id": str(office_id),
                "keywords": f"{subject} || ',' || ({names})[s.d]",
                "is_published": published,
                "published_at": f"CASE WHEN {published} THEN s.t END",
                "withdrawn_at": "CASE WHEN s.bucket = 199 THEN s.t + interval '1 day' END",
                "withdrawal_reason": "CASE WHEN s.bucket = 199 THEN '所述情况已有新进展。' ELSE '' END",
                "created_at": "s.t - interval '1 day'",
                "updated_at": "s.t",
            },
            source,
        )
        codes = sql_text_array([code for code, _name in DISTRICTS])
        self.insert_select(
            DebunkDistrict,
            {"debunk_id": "s.g", "district": f"({codes})[s.d]"},
            source,
        )
        self.insert_select(
            DebunkCategory,
            {
                "debunk_id": "s.g",
                "category": pick(sql_text_array(CATEGORIES), "s.h_text / 7", len(CATEGORIES)),
            },
            source,
        )
        self.insert_select(
            DebunkTag,
            {"debunk_id": "s.g", "name": subject, "name_en": "''"},
            source,
        )
