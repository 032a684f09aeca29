"""The default method and reference data; index editors change them in admin.

Used by a data migration (with historical models) and by tests after a flush.
"""

# Resident population, 2020 census (第七次全国人口普查), rounded; staff should check each
# figure against the current statistical yearbook and update it in admin.
POPULATION_2020 = {
    "330302": 1_187_000,
    "330303": 771_000,
    "330304": 963_000,
    "330305": 146_000,
    "330324": 869_000,
    "330326": 863_000,
    "330327": 843_000,
    "330328": 289_000,
    "330329": 265_000,
    "330381": 1_525_000,
    "330382": 1_453_000,
    "330383": 465_000,
}

DIMENSIONS = [
    ("governance", "有害信息治理", "Harmful-information governance", 0.35, 40.0, 1),
    ("response", "群众满意与参与", "Public satisfaction and participation", 0.25, None, 2),
    ("security", "网络安全", "Network security", 0.25, 40.0, 3),
    ("literacy", "网络素养", "Digital literacy", 0.15, None, 4),
]

# code, zh, en, dimension, description, unit, direction, weight, scheme, lower, upper, bands,
# target, source, computed key
INDICATORS = [
    (
        "report_closure_rate",
        "举报办结率",
        "Report closure rate",
        "governance",
        "当月收到的举报中已办结（含不予受理、合并）的比例。",
        "%",
        "higher",
        0.4,
        "goalposts",
        50.0,
        100.0,
        [],
        95.0,
        "computed",
        "report_closure_rate",
    ),
    (
        "report_on_time_share",
        "按期办结率",
        "Closed on time",
        "governance",
        "当月收到、已办结且设有期限的举报中，在期限内办结的比例。",
        "%",
        "higher",
        0.3,
        "goalposts",
        50.0,
        100.0,
        [],
        90.0,
        "computed",
        "report_on_time_share",
    ),
    (
        "report_working_days_to_close",
        "平均办结用时",
        "Mean time to close",
        "governance",
        "当月收到、已办结的举报从提交到办结的平均工作日数。",
        "工作日",
        "lower",
        0.3,
        "goalposts",
        1.0,
        15.0,
        [],
        5.0,
        "computed",
        "report_working_days_to_close",
    ),
    (
        "reporter_satisfaction",
        "举报人满意率",
        "Reporter satisfaction",
        "response",
        "当月收到的举报中，评价为满意或基本满意的比例（以评价数为基数）。",
        "%",
        "higher",
        0.6,
        "goalposts",
        50.0,
        100.0,
        [],
        90.0,
        "computed",
        "reporter_satisfaction",
    ),
    (
        "reports_per_10k",
        "每万人举报数",
        "Reports per 10,000 residents",
        "response",
        "当月每万名常住人口提交的举报数，反映群众参与网络治理的程度。",
        "件/万人",
        "higher",
        0.4,
        "goalposts",
        0.0,
        0.5,
        [],
        None,
        "computed",
        "reports_per_10k",
    ),
    (
        "campaign_participants_per_10k",
        "活动参与人数",
        "Campaign participants",
        "response",
        "当月在网上签名等活动中签名的人数，每万名常住人口。",
        "人/万人",
        "higher",
        0.2,
        "goalposts",
        0.0,
        5.0,
        [],
        None,
        "computed",
        "campaign_participants_per_10k",
    ),
    (
        "security_incident_handling_rate",
        "网络安全事件处置率",
        "Security incident handling rate",
        "security",
        "当月发现的网络安全事件中按时处置的比例（由各地网信办填报）。",
        "%",
        "higher",
        1.0,
        "bands",
        0.0,
        100.0,
        [[99.0, 100], [98.0, 80], [95.0, 60], [90.0, 40], [0, 0]],
        99.0,
        "entered",
        "",
    ),
    (
        "literacy_sessions_per_10k",
        "网络素养宣讲场次",
        "Digital-literacy sessions",
        "literacy",
        "当月面向青少年和老年人的网络素养宣讲场次，每十万人口。",
        "场/十万人",
        "higher",
        1.0,
        "goalposts",
        0.0,
        3.0,
        [],
        2.0,
        "entered",
        "",
    ),
]


EN_TEXTS = {
    "campaign_participants_per_10k": (
        "People who signed online pledges in the month, per 10,000 residents.",
        "people per 10,000 residents",
    ),
    "report_closure_rate": (
        "Share of the month's reports that are closed (resolved, not accepted or merged).",
        "%",
    ),
    "report_on_time_share": (
        "Of the month's closed reports that had a deadline, the share closed by it.",
        "%",
    ),
    "report_working_days_to_close": (
        "Mean working days from submission to closure, for the month's closed reports.",
        "working days",
    ),
    "reporter_satisfaction": (
        "Share of the month's rated reports rated satisfied or fairly satisfied.",
        "%",
    ),
    "reports_per_10k": (
        "Reports filed in the month per 10,000 residents: how much citizens take part in keeping the internet clean.",
        "reports per 10,000 residents",
    ),
    "security_incident_handling_rate": (
        "Share of the month's network-security incidents handled in time (entered by each district office).",
        "%",
    ),
    "literacy_sessions_per_10k": (
        "Digital-literacy sessions for young and older people in the month, per 100,000 residents.",
        "sessions per 100,000 residents",
    ),
}


def ensure_default_method(apps=None, schema_editor=None) -> None:
    """Create the default method and populations where missing; never changes edits."""
    if apps is None:
        from django.apps import apps
    population = apps.get_model("civility_index", "DistrictPopulation")
    dimension_model = apps.get_model("civility_index", "Dimension")
    indicator_model = apps.get_model("civility_index", "Indicator")
    apps.get_model("civility_index", "MethodSettings").objects.get_or_create(pk=1)
    for code, people in POPULATION_2020.items():
        population.objects.get_or_create(
            district=code, defaults={"population": people, "year": 2020}
        )
    dimensions = {}
    for code, zh, en, weight, floor, order in DIMENSIONS:
        dimensions[code], _ = dimension_model.objects.get_or_create(
            code=code,
            defaults={
                "name_zh": zh,
                "name_en": en,
                "weight": weight,
                "floor": floor,
                "order": order,
            },
        )
    for order, row in enumerate(INDICATORS):
        (
            code,
            zh,
            en,
            dimension,
            description,
            unit,
            direction,
            weight,
            scheme,
            lower,
            upper,
            bands,
            target,
            source,
            key,
        ) = row
        # Historical models (in older migrations) may lack later columns: set what exists.
        known = {f.name for f in indicator_model._meta.get_fields()}
        indicator_model.objects.get_or_create(
            code=code,
            defaults={
                field: value
                for field, value in {
                    "name_zh": zh,
                    "name_en": en,
                    "dimension": dimensions[dimension],
                    "description": description,
                    "description_en": EN_TEXTS[code][0],
                    "unit_en": EN_TEXTS[code][1],
                    "unit": unit,
                    "direction": direction,
                    "weight": weight,
                    "scheme": scheme,
                    "lower": lower,
                    "upper": upper,
                    "bands": bands,
                    "target": target,
                    "source": source,
                    "computed_key": key,
                    "order": order,
                }.items()
                if field in known
            },
        )
