"""Triage tags: staff-only marks on a report ("missing AI label", "smearing a company"…).

Whoever may annotate a report may tag it. Tags are rows (one per report and tag, kept by
a unique constraint); each change is one audit record and one internal note, never a
public step: citizens are not told how staff sort their reports.
"""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext

from wenzhou_portal.audit import audit_record

from ..models import EventKind, ReportTag, TriageTag
from ..selectors import user_department_ids
from .events import _event
from .policy import _actor_department, _lock_for


def _tags_parse(tags) -> set[str]:
    # A bare string is iterable too: "smearing_company" would become its letters.
    if tags is None or isinstance(tags, str | bytes):
        raise ValidationError({"tags": gettext("研判标签格式不正确。")})
    try:
        wanted = set(tags)
    except TypeError as exc:
        raise ValidationError({"tags": gettext("研判标签格式不正确。")}) from exc
    if not wanted <= set(TriageTag.values):
        raise ValidationError({"tags": gettext("请从列表中选择研判标签。")})
    return wanted


def report_tags_set(*, report_id: int, actor, tags: Iterable[str]) -> set[str]:
    """Make a report's triage tags exactly ``tags``; returns them.

    A change writes the rows, one audit record and one internal note; setting the tags a
    report already has changes nothing and records nothing.
    """
    wanted = _tags_parse(tags)
    with transaction.atomic():
        report = _lock_for(actor, report_id, "note")
        current = set(ReportTag.objects.filter(report=report).values_list("tag", flat=True))
        added, removed = sorted(wanted - current), sorted(current - wanted)
        if not added and not removed:
            return wanted
        ReportTag.objects.filter(report=report, tag__in=removed).delete()
        ReportTag.objects.bulk_create(
            [ReportTag(report=report, tag=tag, added_by=actor) for tag in added]
        )
        department = _actor_department(actor, report) or (
            report.co_handlers.filter(pk__in=user_department_ids(actor)).first()
        )
        _event(
            report,
            kind=EventKind.NOTE,
            actor=actor,
            department=department,
            from_status=report.status,
            internal_text=_change_text(added, removed),
        )
        audit_record(
            action="rumors.report_tags_set",
            actor=actor,
            # As every report action's record: by id, never the reporter's tracking code.
            target=f"rumors.report:{report.pk}",
            detail={"added": added, "removed": removed},
        )
    return wanted


def _change_text(added: list[str], removed: list[str]) -> str:
    def labels(tags: list[str]) -> str:
        return "、".join(str(TriageTag(tag).label) for tag in tags)

    parts = []
    if added:
        parts.append(gettext("添加研判标签：%(tags)s。") % {"tags": labels(added)})
    if removed:
        parts.append(gettext("移除研判标签：%(tags)s。") % {"tags": labels(removed)})
    return " ".join(parts)
