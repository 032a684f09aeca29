import json
from datetime import date

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import get_language, gettext
from django.views.decorators.http import require_GET

from wenzhou_portal.csv_export import csv_download
from wenzhou_portal.districts import District
from wenzhou_portal.templatetags.portal import district_name, localized_name

from . import selectors, services
from .models import Snapshot
from .reading import dimension_extremes, reading_sentences

CACHE_SECONDS = 3600


def _period(text: str) -> date:
    try:
        return services.parse_period(text)
    except ValidationError as refused:
        raise Http404(refused.messages[0]) from refused


def _rows(snapshot: Snapshot) -> list[dict]:
    """A month's districts in rank order, each with its strongest dimension(s)."""
    units = snapshot.results["units"]
    order = [d["code"] for d in snapshot.method["dimensions"]]
    rows = []
    for code, unit in units.items():
        strongest, _weakest = dimension_extremes(unit.get("dimensions") or {}, order)
        rows.append({**unit, "code": code, "strongest": [item.code for item in strongest]})
    return sorted(rows, key=lambda row: (row["rank"] is None, row["rank"] or 0, row["code"]))


def _dashboard_context(district: str) -> dict:
    snapshots = selectors.snapshots_current(periods=13)
    if not snapshots:
        return {"latest": None}
    # Headline the newest complete (published) month; the running month is provisional.
    latest = next((s for s in snapshots if s.is_published), snapshots[0])
    rows = _rows(latest)
    chosen = district if district in latest.results["units"] else (rows[0]["code"] if rows else "")
    dimensions = latest.method["dimensions"]
    dimension_names = {d["code"]: localized_name(d) for d in dimensions}
    for row in rows:
        row["strongest_names"] = [dimension_names.get(code, code) for code in row["strongest"]]
    trend = [
        {"period": s.period.strftime("%Y-%m"), "score": s.city_score} for s in reversed(snapshots)
    ]
    # Districts travel as codes with their label in the page's language: the stored
    # snapshot holds no names, so an English page charts English names.
    chart = {
        "trend": trend,
        "ranking": [
            {"code": row["code"], "name": district_name(row["code"]), "score": row["overall"]}
            for row in rows
            if row["overall"] is not None
        ],
        "radar": {
            "indicators": [{"name": localized_name(d), "max": 100} for d in dimensions],
            "values": [
                latest.results["units"][chosen]["dimensions"].get(d["code"]) for d in dimensions
            ]
            if chosen
            else [],
            "code": chosen,
            "name": district_name(chosen) if chosen else "",
        },
    }
    return {
        "latest": latest,
        "restatement": selectors.restatement_for(latest),
        "rows": rows,
        "dimensions": dimensions,
        "trend": trend,
        "chosen": chosen,
        "chosen_row": next((row for row in rows if row["code"] == chosen), None),
        "chart": chart,
        "periods": [s.period for s in snapshots],
        "provisional": snapshots[0] if snapshots[0] is not latest else None,
    }


@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    district = request.GET.get("district", "")
    key = f"index:dashboard:{get_language()}:{selectors.snapshots_version()}:{district[:6]}"
    context = cache.get(key)
    if context is None:
        context = _dashboard_context(district)
        cache.set(key, context, CACHE_SECONDS)
    districts = [(code, district_name(code)) for code in District.values]
    context = {**context, "districts": districts}
    return render(request, "civility_index/dashboard.html", context)


def _plain_reading(code: str, snapshots: list[Snapshot]) -> tuple[str, str] | None:
    reading = selectors.district_reading_for(code=code, snapshots=snapshots)
    if reading is None:
        return None
    dimensions = next(s for s in snapshots if s.period == reading.period).method["dimensions"]
    return reading_sentences(
        reading,
        district_names={value: district_name(value) for value in District.values},
        dimension_names={d["code"]: localized_name(d) for d in dimensions},
    )


@require_GET
def district_detail(request: HttpRequest, code: str) -> HttpResponse:
    if code not in District.values:
        raise Http404
    key = f"index:district:{get_language()}:{selectors.snapshots_version()}:{code}"
    context = cache.get(key)
    if context is None:
        snapshots = selectors.snapshots_current(periods=24)
        history = [
            {
                "period": s.period,
                "version": s.version,
                "published": s.is_published,
                **s.results["units"][code],
            }
            for s in snapshots
            if code in s.results["units"]
        ]
        latest = snapshots[0] if snapshots else None
        context = {
            "code": code,
            "name": district_name(code),
            "reading": _plain_reading(code, snapshots),
            "history": history,
            "latest": latest,
            # The newest complete month; the running month is provisional.
            "current": next(
                (row for row in history if row["published"]), history[0] if history else None
            ),
            "indicators": latest.method["indicators"] if latest else [],
            "dimensions": latest.method["dimensions"] if latest else [],
            "chart": {
                "trend": [
                    {"period": row["period"].strftime("%Y-%m"), "score": row["overall"]}
                    for row in reversed(history)
                ]
            },
        }
        cache.set(key, context, CACHE_SECONDS)
    return render(request, "civility_index/district.html", context)


@require_GET
def methodology(request: HttpRequest) -> HttpResponse:
    options, dimensions = selectors.method_live()
    total = sum(d.weight for d in dimensions) or 1
    return render(
        request,
        "civility_index/methodology.html",
        {
            "options": options,
            "dimensions": [
                {"dimension": d, "share": 100 * d.weight / total, "indicators": d.active_indicators}
                for d in dimensions
            ],
            "robustness": _robustness_rows(),
        },
    )


def _robustness_rows() -> dict | None:
    """The newest published month's rank robustness per district, for the methodology page."""
    published = next((s for s in selectors.snapshots_current(periods=3) if s.is_published), None)
    if published is None:
        return None
    rows = [row for row in _rows(published) if row["robustness"]]
    return {"period": published.period, "rows": rows}


def _snapshot_or_404(period_text: str) -> Snapshot:
    snapshot = selectors.snapshot_for(_period(period_text))
    if snapshot is None:
        raise Http404(gettext("该月份还没有指数。"))
    return snapshot


@require_GET
def download_json(request: HttpRequest, period: str) -> JsonResponse:
    snapshot = _snapshot_or_404(period)
    response = JsonResponse(snapshot_document(snapshot), json_dumps_params={"ensure_ascii": False})
    # Named by the month as stored, not as typed ("２０２６－１０" serves 2026-10).
    response["Content-Disposition"] = (
        f'attachment; filename="qinglang-index-{snapshot.period:%Y-%m}.json"'
    )
    return response


def snapshot_document(snapshot: Snapshot) -> dict:
    """The downloadable form of a snapshot (also what the API returns)."""
    return json.loads(
        json.dumps(
            {
                "period": snapshot.period.strftime("%Y-%m"),
                "version": snapshot.version,
                "published": snapshot.is_published,
                "computed_at": snapshot.computed_at,
                "stale": snapshot.is_stale,
                "city_score": snapshot.city_score,
                "method": snapshot.method,
                "results": snapshot.results,
            },
            cls=DjangoJSONEncoder,
        )
    )


@require_GET
def download_csv(request: HttpRequest, period: str) -> HttpResponse:
    snapshot = _snapshot_or_404(period)
    indicators = snapshot.method["indicators"]
    dimensions = snapshot.method["dimensions"]
    header = ["district_code", "district", "overall", "rank", "improvement_rank", "change"]
    header += [f"dimension:{d['code']}" for d in dimensions]
    for indicator in indicators:
        header += [
            f"{indicator['code']}:raw",
            f"{indicator['code']}:cases",
            f"{indicator['code']}:score",
        ]
    header += ["flags", "rank_min", "rank_max", "rank_equal_weights"]
    lines = [header]
    for row in _rows(snapshot):
        robust = row["robustness"] or {}
        line = [
            row["code"],
            # Snapshots before codes-only results stored a Chinese name; keep it as stored.
            row.get("name") or str(District(row["code"]).label),
            row["overall"],
            row["rank"],
            row["improvement_rank"],
            row["change"],
        ]
        line += [row["dimensions"].get(d["code"]) for d in dimensions]
        for indicator in indicators:
            cell = row["indicators"].get(indicator["code"], {})
            line += [cell.get("raw"), cell.get("cases"), cell.get("score")]
        line += [
            ";".join(f"{flag[0]}:{flag[1]}" for flag in row["flags"]),
            robust.get("rank_min"),
            robust.get("rank_max"),
            robust.get("rank_equal_weights"),
        ]
        lines.append(line)
    return csv_download(lines, filename=f"qinglang-index-{snapshot.period:%Y-%m}.csv")
