"""City-scale synthetic data, the same for a seed: ``python -m bench.load_data``.

The large tables (reports and their events, debunks, signatures, votes, donations and the
ledger) are written by ``INSERT … SELECT … FROM generate_series`` inside PostgreSQL, every
"random" choice a hash of the row number and the seed (``hashint8extended``), so a seed
gives the same rows on any machine and nothing crosses the wire. Small reference tables
(departments, rules, campaigns, organisations, projects) go through the ORM.

Speed, as any bulk load does it: the tables' secondary indexes are dropped first and built
once at the end, and foreign-key and ledger triggers are off for the session
(``session_replication_role = replica``); the rows are consistent by construction and the
unique and check constraints still hold every row. A column a model adds later that is
NOT NULL gets the model's default (listed in the result as ``filled_by_default``).

Prints one JSON object: row counts and seconds per step.
"""

import json
import os
import sys
import time
from datetime import date, datetime, timedelta

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
DISTRICTS = [
    ("330302", "鹿城"),
    ("330303", "龙湾"),
    ("330304", "瓯海"),
    ("330305", "洞头"),
    ("330324", "永嘉"),
    ("330326", "平阳"),
    ("330327", "苍南"),
    ("330328", "文成"),
    ("330329", "泰顺"),
    ("330381", "瑞安"),
    ("330382", "乐清"),
    ("330383", "龙港"),
]
CATEGORIES = [
    "rumor",
    "fraud",
    "pornography",
    "violence_terror",
    "cyberbullying",
    "harm_to_minors",
    "livestream_disorder",
    "personal_information",
    "ai_rumor",
    "other",
]
PLATFORMS = [
    ("douyin", "douyin.com"),
    ("wechat", "mp.weixin.qq.com"),
    ("weibo", "weibo.com"),
    ("kuaishou", "kuaishou.com"),
    ("xiaohongshu", "xiaohongshu.com"),
    ("toutiao", "toutiao.com"),
    ("bilibili", "bilibili.com"),
    ("tieba", "tieba.baidu.com"),
    ("zhihu", "zhihu.com"),
    ("other", "example.net"),
]
SUBJECTS = [
    "自来水",
    "地铁",
    "学校",
    "医院",
    "菜市场",
    "小区",
    "高速",
    "公交",
    "银行",
    "快递",
    "外卖",
    "直播间",
    "景区",
    "台风",
    "疫苗",
    "房价",
    "工厂",
    "商场",
    "停车场",
    "菜价",
]
CLAIMS = [
    "被污染了，千万别喝",
    "要停运三天",
    "发生了火灾",
    "明天起全面封闭",
    "有人冒充客服骗钱",
    "视频是AI合成的",
    "价格暴涨五倍",
    "马上要拆迁了",
    "出现大规模裁员",
    "有人售卖个人信息",
]
# Report texts are built from a "story" (what the report is about) so that a report has a
# few near-duplicates at most, as real ones do, and no phrase is shared by every row: 40% of
# reports belong to one of the day's 50 circulating stories (a burst, reported again and
# again that day), the rest each tell a story of their own.
STORY_SOURCES = [
    "朋友圈里在传",
    "家长群里都在说",
    "抖音上有视频说",
    "微博热搜上说",
    "业主群里有人发消息称",
    "短视频平台流传",
    "有网友爆料",
    "小区群里转发",
    "网上有帖子说",
    "快手直播里主播说",
    "有公众号文章称",
    "同事群里流传",
    "老乡群里说",
    "有自媒体发文称",
    "贴吧有人发帖称",
]
STORY_TOWNS = [
    "五马街道",
    "南郊街道",
    "蒲鞋市",
    "七都",
    "状元",
    "永中",
    "梧田",
    "娄桥",
    "北白象",
    "柳市",
    "虹桥",
    "塘下",
    "飞云",
    "鳌江",
    "萧江",
    "灵溪",
    "钱库",
    "新城",
    "大峃",
    "罗阳",
    "百丈漈",
    "瓯北",
    "桥头",
    "岩头",
    "元觉",
    "北岙",
    "瑶溪",
    "海城",
    "仙岩",
    "丽岙",
]
STORY_SUBJECTS = [
    *SUBJECTS,
    "幼儿园",
    "养老院",
    "农贸市场",
    "加油站",
    "火车站",
    "机场",
    "动车",
    "轮渡",
    "体育馆",
    "图书馆",
    "电影院",
    "超市",
    "奶茶店",
    "小吃街",
    "老街",
    "江滨路",
    "学校食堂",
    "自来水厂",
    "快递驿站",
    "小学",
]
STORY_TIMES = [
    "今天",
    "昨晚",
    "明天起",
    "下周",
    "本月底",
    "刚刚",
    "凌晨",
    "周末",
    "春节前",
    "国庆期间",
    "开学后",
    "月初",
]
STORY_CLAIMS = [
    "要关闭",
    "出现了食物中毒",
    "被查封",
    "发生了爆炸",
    "要涨价",
    "出了安全事故",
    "在卖假货",
    "被曝偷工减料",
    "出现了传染病",
    "停水停电",
    "要拆除",
    "被黑客攻击",
    "出现了诈骗团伙",
    "免费发放补贴",
    "要限行",
    "被淹了",
    "出现了毒蛇",
    "要强制收费",
    "取消了学籍",
    "发现了地沟油",
    "出现了假疫苗",
    "要裁员一半",
    "被外资收购",
    "塌方了",
    "出现了人贩子",
    "辐射超标",
    "要封控",
    "售卖过期食品",
    "发生了群体斗殴",
    "水被污染了",
]
STORY_DETAILS = [
    ("视频已被点赞", "次"),
    ("帖子已被转发", "次"),
    ("评论区有", "条留言"),
    ("配了", "张图"),
    ("说有", "人受影响"),
    ("称损失", "万元"),
    ("已经传了", "个群"),
    ("阅读量过", "次"),
    ("号称内部消息第", "号"),
    ("附了一段", "秒的录音"),
]
BURST_SHARE = 40  # percent of reports that belong to a burst
BURST_STORIES_PER_DAY = 50
VERDICTS = ["false", "false", "false", "inaccurate", "misleading", "unverified", "true"]
REJECTION_REASONS = [
    "not_harmful",
    "out_of_area",
    "insufficient",
    "already_removed",
    "other_channel",
]
CATEGORY_RULES = {
    "fraud": ("police", 3),
    "violence_terror": ("police", 1),
    "personal_information": ("police", 5),
    "harm_to_minors": ("education", 3),
    "livestream_disorder": ("culture", 5),
}
CAMPAIGN_KINDS = ["pledge", "vote", "theme", "pledge", "event", "contest"]
CAMPAIGNS = 60
CANDIDATES_PER_VOTE = 10
CAUSES = [
    "elderly",
    "education",
    "children",
    "disability",
    "medical",
    "poverty",
    "disaster",
    "community",
    "environment",
    "other",
]


def sql_text_array(values: list[str]) -> str:
    """A PostgreSQL text[] literal of our own constants (no outside input)."""
    return "ARRAY[" + ",".join("'" + v.replace("'", "''") + "'" for v in values) + "]"


def sql_int_array(values: list[int]) -> str:
    return "ARRAY[" + ",".join(str(int(v)) for v in values) + "]::bigint[]"


def pick(array_sql: str, hashed: str, length: int) -> str:
    """The element of an array literal a hash chooses."""
    return f"({array_sql})[1 + mod({hashed}, {length})]"


class Loader:
    def __init__(self, *, seed: int, sizes: dict[str, int], now: datetime) -> None:
        from django.db import connection

        self.connection = connection
        self.seed = seed
        self.sizes = sizes
        self.now = now
        self.steps: dict[str, float] = {}
        self.counts: dict[str, int] = {}
        self.filled_by_default: dict[str, list[str]] = {}
        self.dropped_indexes: list[tuple[str, str]] = []

    # --- helpers --------------------------------------------------------------------------

    def h(self, k: int, row: str = "g") -> str:
        """A non-negative 63-bit hash of the row number and (seed, k)."""
        return f"(hashint8extended({row}::bigint, {self.seed * 1000 + k}) & 9223372036854775807)"

    def execute(self, sql: str, params: list | None = None) -> int:
        with self.connection.cursor() as cursor:
            # No parameters, no placeholder parsing: the SQL may hold a literal "%".
            cursor.execute(sql, params or None)
            return cursor.rowcount

    def timed(self, name: str):
        loader = self

        class Step:
            def __enter__(self):
                self.started = time.perf_counter()

            def __exit__(self, *exc):
                loader.steps[name] = round(time.perf_counter() - self.started, 2)
                print(f"  {name}: {loader.steps[name]:.1f} s", file=sys.stderr, flush=True)

        return Step()

    def insert_select(self, model, columns: dict[str, str], source: str) -> int:
        """INSERT INTO the model's table the given column expressions over ``source``.

        Columns left out that the database requires get the model's default, so a field
        another change adds does not break the loader.
        """
        from django.db.models import NOT_PROVIDED

        table = model._meta.db_table
        existing = self.table_columns(table)
        # A column the code knows and the database does not yet have (its migration is
        # still to come) is left out rather than failing the run.
        names = [name for name in columns if name in existing]
        expressions = [columns[name] for name in names]
        params: list = []
        for field in model._meta.concrete_fields:
            if field.column in columns or field.primary_key or field.null:
                continue
            if field.column not in existing:
                continue
            if getattr(field, "db_default", NOT_PROVIDED) is not NOT_PROVIDED:
                continue
            if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                expressions.append("now()")
            else:
                if field.has_default():
                    value = field.get_default()
                elif field.get_internal_type() in {
                    "CharField",
                    "TextField",
                    "SlugField",
                    "URLField",
                    "EmailField",
                    "FileField",
                    "ImageField",
                }:
                    value = ""
                elif field.get_internal_type() == "BooleanField":
                    value = False
                else:
                    raise RuntimeError(
                        f"{model.__name__}.{field.name} is NOT NULL without a default: "
                        "bench/load_data.py must set it"
                    )
                expressions.append("%s")
                params.append(field.get_db_prep_save(value, self.connection))
            names.append(field.column)
            self.filled_by_default.setdefault(table, []).append(field.column)
        quoted = ", ".join(f'"{name}"' for name in names)
        sql = f'INSERT INTO "{table}" ({quoted}) SELECT {", ".join(expressions)} FROM {source}'  # noqa: S608  our own column names and expressions
        return self.execute(sql, params)

    def table_columns(self, table: str) -> set[str]:
        with self.connection.cursor() as cursor:
            return {
                column.name
                for column in self.connection.introspection.get_table_description(cursor, table)
            }

    def reset_sequence(self, model) -> None:
        table = model._meta.db_table
        self.execute(
            f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "  # noqa: S608  our table name
            f'COALESCE((SELECT max(id) FROM "{table}"), 1))'
        )

    def drop_secondary_indexes(self, models) -> None:
        """Drop every index that is not a constraint's; ``rebuild_indexes`` makes them again."""
        with self.connection.cursor() as cursor:
            for model in models:
                table = model._meta.db_table
                cursor.execute(
                    """
                    SELECT i.indexname, i.indexdef FROM pg_indexes i
                    WHERE i.schemaname = current_schema() AND i.tablename = %s
                      AND NOT EXISTS (
                        SELECT 1 FROM pg_constraint c
                        WHERE c.conrelid = %s::regclass AND c.conname = i.indexname)
                    """,
                    [table, table],
                )
                for name, definition in cursor.fetchall():
                    self.dropped_indexes.append((name, definition))
                    cursor.execute(f'DROP INDEX "{name}"')

    def rebuild_indexes(self) -> None:
        with self.connection.cursor() as cursor:
            for _name, definition in self.dropped_indexes:
                cursor.execute(definition)

    # --- the data -------------------------------------------------------------------------

    def load(self) -> dict:
        from campaigns.models import Signature, Vote
        from charity.models import Donation, LedgerEntry
        from rumors.models import (
            Debunk,
            DebunkCategory,
            DebunkDistrict,
            DebunkTag,
            Report,
            ReportEvent,
        )

        big = [
            Report,
            ReportEvent,
            Debunk,
            DebunkDistrict,
            DebunkCategory,
            DebunkTag,
            Signature,
            Vote,
            Donation,
            LedgerEntry,
        ]
        started = time.perf_counter()
        self.execute("SET synchronous_commit = off")
        self.execute("SET maintenance_work_mem = '1GB'")
        self.execute("SET work_mem = '256MB'")
        with self.timed("reference data"):
            departments = self.departments_and_rules()
            campaign_ids = self.campaigns()
            project_ids = self.organisations_and_projects()
        self.drop_secondary_indexes(big)
        self.execute("SET session_replication_role = replica")
        try:
            with self.timed("reports"):
                self.reports(departments)
            with self.timed("report events"):
                self.report_events()
            with self.timed("debunks"):
                self.debunks(departments["office"])
            with self.timed("signatures and votes"):
                self.signatures_and_votes(campaign_ids)
            with self.timed("donations and ledger"):
                self.donations(project_ids)
        finally:
            self.execute("SET session_replication_role = origin")
            with self.timed("indexes"):
                self.rebuild_indexes()
        for model in big:
            self.reset_sequence(model)
        with self.timed("vacuum analyze"):
            for model in big:
                self.execute(f'VACUUM (ANALYZE) "{model._meta.db_table}"')
        for model in big:
            self.counts[model._meta.db_table] = model.objects.count()
        return {
            "seconds": round(time.perf_counter() - started, 2),
            "steps": self.steps,
            "rows": self.counts,
            "sizes": self.sizes,
            "seed": self.seed,
            "period_start": self.period_start().isoformat(),
            "as_of": self.now.isoformat(),
            "filled_by_default": self.filled_by_default,
            "indexes_rebuilt": [name for name, _definition in self.dropped_indexes],
        }

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

    def campaigns(self) -> dict[str, list[int]]:
        from django.utils import timezone

        from campaigns.models import Campaign, CampaignDistrict, Candidate

        start = self.period_start()
        span = self.now - start
        made = []
        for index in range(CAMPAIGNS):
            kind = CAMPAIGN_KINDS[index % len(CAMPAIGN_KINDS)]
            begins = start + span * index / CAMPAIGNS
            made.append(
                Campaign(
                    title=f"{SUBJECTS[index % len(SUBJECTS)]}文明上网主题活动（第 {index + 1} 期）",
                    slug=f"bench-campaign-{index + 1}",
                    kind=kind,
                    summary="文明上网，从你我做起：温州市网络主题传播活动。",
                    starts_at=begins,
                    ends_at=begins + timedelta(days=45),
                    is_published=True,
                    target_participants=10_000,
                )
            )
        campaigns = Campaign.objects.bulk_create(made)
        CampaignDistrict.objects.bulk_create(
            CampaignDistrict(campaign=c, district=DISTRICTS[i % 12][0])
            for i, c in enumerate(campaigns)
        )
        votes = [c for c in campaigns if c.kind == "vote"]
        candidates = Candidate.objects.bulk_create(
            Candidate(
                campaign=campaign,
                name=f"候选人 {k + 1}",
                story="扎根基层的网络文明志愿者。",
                status=Candidate.Status.APPROVED,
                order=k,
                created_at=timezone.now(),
            )
            for campaign in votes
            for k in range(CANDIDATES_PER_VOTE)
        )
        self.counts["campaigns_campaign"] = len(campaigns)
        self.counts["campaigns_candidate"] = len(candidates)
        return {
            "pledge": [c.pk for c in campaigns if c.kind == "pledge"],
            "vote": [c.pk for c in votes],
            "candidate": [c.pk for c in candidates],
        }

    def signatures_and_votes(self, ids: dict[str, list[int]]) -> None:
        from campaigns.models import Signature, Vote

        codes = sql_text_array([code for code, _name in DISTRICTS])
        pledges = sql_int_array(ids["pledge"])
        source = f"""
            (SELECT x.g, x.campaign_id, x.d, c.starts_at, c.ends_at, x.h_time,
                    row_number() OVER (PARTITION BY x.campaign_id ORDER BY x.g) AS number
             FROM (SELECT g, ({pledges})[1 + mod({self.h(31)}, {len(ids["pledge"])})] AS campaign_id,
                          1 + mod({self.h(32)}, 12) AS d, {self.h(33)} AS h_time
                   FROM generate_series(1, {self.sizes["signatures"]}) AS g) AS x
             JOIN campaigns_campaign AS c ON c.id = x.campaign_id) AS s
        """  # noqa: S608  our own constants and numbers, no outside input
        signed_at = (
            "LEAST(s.starts_at + (s.ends_at - s.starts_at) * (mod(s.h_time, 100000) / 100000.0), "
            f"'{self.now.isoformat()}'::timestamptz)"
        )
        self.insert_select(
            Signature,
            {
                "campaign_id": "s.campaign_id",
                "phone_hash": f"md5('{self.seed}:signer:' || s.g)",
                "display_name": "'市民' || mod(s.h_time, 9999)",
                "district": f"({codes})[s.d]",
                "number": "s.number",
                "is_hidden": "false",
                "signed_at": signed_at,
                "withdrawn_at": "NULL",
            },
            source,
        )
        votes = sql_int_array(ids["vote"])
        candidates = sql_int_array(ids["candidate"])
        source = f"""
            (SELECT x.g, x.k, c.id AS campaign_id, c.starts_at, c.ends_at, x.h_time
             FROM (SELECT g, mod({self.h(41)}, {len(ids["vote"])}) AS k, {self.h(42)} AS h_time
                   FROM generate_series(1, {self.sizes["votes"]}) AS g) AS x
             JOIN campaigns_campaign AS c ON c.id = ({votes})[1 + x.k]) AS s
        """  # noqa: S608  our own constants and numbers, no outside input
        cast_at = (
            "LEAST(s.starts_at + (s.ends_at - s.starts_at) * (mod(s.h_time, 100000) / 100000.0), "
            f"'{self.now.isoformat()}'::timestamptz)"
        )
        self.insert_select(
            Vote,
            {
                "campaign_id": "s.campaign_id",
                "candidate_id": f"({candidates})[1 + s.k * {CANDIDATES_PER_VOTE} + mod(s.h_time / 7, {CANDIDATES_PER_VOTE})]",
                "phone_hash": f"md5('{self.seed}:voter:' || s.g)",
                "client_key": f"md5('{self.seed}:client:' || mod(s.h_time, 5000))",
                "cast_on": f"({cast_at} AT TIME ZONE 'Asia/Shanghai')::date",
                "slot": "1",
                "cast_at": cast_at,
                "is_flagged": "false",
                "is_excluded": "false",
                "exclusion_reason": "''",
                "withdrawn_at": "NULL",
            },
            source,
        )

    def organisations_and_projects(self) -> list[int]:
        import random

        from django.utils import timezone

        from charity import credit_codes
        from charity.models import (
            Organisation,
            OrganisationStatus,
            PactSignature,
            PactVersion,
            Project,
            ProjectStatus,
        )

        chooser = random.Random(self.seed)  # noqa: S311  repeatable data, not secrets
        now = timezone.now()
        organisations = []
        for index in range(self.sizes["organisations"]):
            code, _name = DISTRICTS[index % 12]
            first = f"53{code}MJ{index:07d}"[:17]
            organisations.append(
                Organisation(
                    name=f"温州{DISTRICTS[index % 12][1]}公益服务中心 {index + 1}",
                    credit_code=first + credit_codes.check_character(first),
                    registering_authority="温州市民政局",
                    district=code,
                    contact_name="联系人",
                    contact_phone="057788000000",
                    fundraising_certificate=f"BENCH-CERT-{index + 1}",
                    fundraising_valid_from=date(2020, 1, 1),
                    fundraising_valid_until=date(2030, 12, 31),
                    status=OrganisationStatus.VERIFIED,
                    verified_at=now,
                    status_changed_at=now,
                )
            )
        organisations = Organisation.objects.bulk_create(organisations)
        pact, _ = PactVersion.objects.get_or_create(
            number=1, defaults={"text": "自律公约全文。", "published_at": now}
        )
        PactSignature.objects.bulk_create(
            PactSignature(
                organisation=o,
                version=pact,
                signer_name="负责人",
                signer_title="理事长",
                signed_at=now,
            )
            for o in organisations
        )
        start = self.period_start().date()
        days = (timezone.localdate(self.now) - start).days
        statuses = [ProjectStatus.FUNDRAISING] * 6 + [ProjectStatus.COMPLETED] * 3
        statuses += [ProjectStatus.CLOSED]
        projects = []
        for index in range(self.sizes["projects"]):
            organisation = organisations[index % len(organisations)]
            starts = start + timedelta(days=chooser.randrange(max(days - 30, 1)))
            projects.append(
                Project(
                    organisation=organisation,
                    title=f"{SUBJECTS[index % len(SUBJECTS)]}关爱行动 {index + 1}",
                    summary="为困难群众提供帮助的公益项目。",
                    district=organisation.district,
                    cause=CAUSES[index % len(CAUSES)],
                    beneficiaries="困难群众",
                    target_fen=chooser.randrange(10_000, 500_000) * 100,
                    starts_on=starts,
                    ends_on=starts + timedelta(days=180),
                    is_public_fundraising=True,
                    filing_number=f"BENCH-FILE-{index + 1}",
                    filed_on=starts - timedelta(days=15),
                    donation_channel="own",
                    payment_provider="simulated",
                    surplus_rule="return",
                    status=statuses[index % len(statuses)],
                    reviewed_at=now,
                    published_at=now,
                )
            )
        projects = Project.objects.bulk_create(projects)
        self.counts["charity_organisation"] = len(organisations)
        self.counts["charity_project"] = len(projects)
        return [p.pk for p in projects]

    def donations(self, project_ids: list[int]) -> None:
        from charity.models import Donation, LedgerEntry

        projects = sql_int_array(project_ids)
        source = f"""
            (SELECT x.g, x.h_amount, p.id AS project_id,
                    LEAST((p.starts_on::timestamp AT TIME ZONE 'Asia/Shanghai')
                          + (mod(x.h_time, 180 * 86400)) * interval '1 second',
                          '{self.now.isoformat()}'::timestamptz - interval '1 hour') AS t
             FROM (SELECT g, {self.h(51)} AS h_amount, {self.h(52)} AS h_time,
                          ({projects})[1 + mod({self.h(53)}, {len(project_ids)})] AS project_id
                   FROM generate_series(1, {self.sizes["donations"]}) AS g) AS x
             JOIN charity_project AS p ON p.id = x.project_id) AS s
        """  # noqa: S608  our own constants and numbers, no outside input
        self.insert_select(
            Donation,
            {
                "id": "s.g",
                "reference": "'BENCH' || lpad(s.g::text, 12, '0')",
                "project_id": "s.project_id",
                "channel": "'own'",
                "amount_fen": "100 * (1 + mod(s.h_amount, 500))",
                "donor_name": "CASE WHEN mod(s.h_amount, 3) = 0 THEN '爱心人士' ELSE '' END",
                "message": "''",
                "message_status": "'none'",
                "contact": "''",
                "donor_key": f"md5('{self.seed}:donor:' || mod(s.h_amount / 7, {max(self.sizes['donations'] // 3, 1)}))",
                "status": "'paid'",
                "created_at": "s.t",
                "expires_at": "s.t + interval '15 minutes'",
                "paid_at": "s.t + interval '1 minute'",
                "refunded_at": "NULL",
                "provider": "'simulated'",
                "transaction_id": "'BENCH-TX-' || s.g",
                "refund_id": "''",
                "platform_import_id": "NULL",
                "platform_row_id": "''",
                "allocated_fen": "0",
            },
            source,
        )
        self.insert_select(
            LedgerEntry,
            {
                "project_id": "d.project_id",
                "kind": "'donation'",
                "amount_fen": "d.amount_fen",
                "balance_after_fen": (
                    "sum(d.amount_fen) OVER (PARTITION BY d.project_id ORDER BY d.paid_at, d.id)"
                ),
                "donation_id": "d.id",
                "disbursement_id": "NULL",
                "recorded_at": "d.paid_at",
            },
            "charity_donation AS d WHERE d.status = 'paid'",
        )
        self.execute(
            """
            UPDATE charity_project AS p SET raised_fen = t.total
            FROM (SELECT project_id, sum(amount_fen) AS total FROM charity_donation
                  WHERE status = 'paid' GROUP BY project_id) AS t
            WHERE t.project_id = p.id
            """
        )


def main() -> None:
    import django

    from bench.config import BenchConfig

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wenzhou_portal.settings")
    django.setup()
    from django.utils import timezone

    config = BenchConfig.from_env()
    loader = Loader(seed=config.seed, sizes=config.sizes, now=timezone.now())
    result = loader.load()
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
