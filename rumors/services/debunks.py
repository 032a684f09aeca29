"""Debunks: publish, correct and withdraw; closing the reports a debunk answers."""

from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext

from wenzhou_portal.audit import audit_record, audit_target
from wenzhou_portal.celery import enqueue_on_commit

from ..models import (
    HANDLING_STATUSES,
    Debunk,
    DebunkCategory,
    DebunkDistrict,
    DebunkTag,
    EventKind,
    Report,
    Status,
)
from ..selectors import debunk_authority_permitted
from .events import TransitionError, _event
from .handling import _answer_cluster, _close
from .policy import _lock_for, performs


@performs("link_debunk")
def report_link_debunk(*, report_id: int, actor, debunk_id: int | None = None) -> Report:
    """Attach a report to a debunk; if the debunk is already out, the report closes with it."""
    try:
        debunk = Debunk.objects.filter(pk=int(debunk_id)).first() if debunk_id else None
    except (TypeError, ValueError):
        debunk = None
    if debunk is None:
        raise ValidationError({"debunk_id": gettext("请选择要关联的辟谣。")})
    with transaction.atomic():
        report = _lock_for(actor, report_id, "link_debunk")
        if debunk.is_withdrawn:
            raise TransitionError(
                gettext("辟谣《%(title)s》已撤回，不能再用来答复举报。") % {"title": debunk.title},
                code="withdrawn",
            )
        report.debunk = debunk
        report.save(update_fields=["debunk", "updated_at"])
        _event(
            report,
            kind=EventKind.NOTE,
            actor=actor,
            from_status=report.status,
            internal_text=gettext("关联辟谣《%(title)s》。") % {"title": debunk.title},
        )
        if debunk.is_published:
            _resolve_with_debunk(report, debunk, actor=actor)
        return report


def debunk_draft_save(
    *,
    debunk: Debunk,
    actor,
    changed_fields: Iterable[str] = (),
    request: HttpRequest | None = None,
) -> Debunk:
    """Save a debunk as written by staff, only under a department the actor speaks for.

    Departments draft under their own name; the office under any. A withdrawn debunk is
    kept as it was, and a published one is changed by the office only.
    """
    if not debunk_authority_permitted(actor, debunk.authority_id):
        raise ValidationError({"authority": gettext("只能以您所在部门的名义撰写辟谣。")})
    created = debunk.pk is None
    with transaction.atomic():
        if not created:
            stored = Debunk.objects.select_for_update().get(pk=debunk.pk)
            if stored.is_withdrawn:
                raise TransitionError(gettext("已撤回的辟谣不能修改。"), code="withdrawn")
            if stored.is_published and not actor.has_perm("rumors.publish_debunk"):
                raise PermissionDenied(gettext("已发布的辟谣只能由网信办修改。"))
        else:
            debunk.created_by = actor
        debunk.save()
        audit_record(
            action=f"rumors.debunk_{'added' if created else 'changed'}",
            actor=actor,
            target=audit_target(debunk),
            request=request,
            detail={} if created else {"fields": sorted(changed_fields)},
        )
    return debunk


def debunk_codes_set(
    *,
    debunk: Debunk,
    districts: list[str],
    categories: list[str],
    tags: list[str],
    tags_en: dict[str, str] | None = None,
) -> None:
    """Replace a debunk's districts, categories and tags with these (one row each).

    tags_en gives a tag's English by its Chinese name; given, it is the whole truth (a tag
    it leaves out has no English); None leaves the English of the kept tags as it was.
    """
    with transaction.atomic():
        for model, field, wanted in (
            (DebunkDistrict, "district", set(districts)),
            (DebunkCategory, "category", set(categories)),
            (DebunkTag, "name", set(tags)),
        ):
            current = set(model.objects.filter(debunk=debunk).values_list(field, flat=True))
            model.objects.filter(debunk=debunk, **{f"{field}__in": current - wanted}).delete()
            model.objects.bulk_create(
                [model(debunk=debunk, **{field: value}) for value in sorted(wanted - current)]
            )
        if tags_en is not None:
            for tag in DebunkTag.objects.filter(debunk=debunk):
                english = tags_en.get(tag.name, "").strip()
                if tag.name_en != english:
                    tag.name_en = english
                    tag.save(update_fields=["name_en"])


def debunk_url(debunk: Debunk) -> str:
    return settings.SITE_URL + debunk.get_absolute_url()


def _resolve_with_debunk(report: Report, debunk: Debunk, *, actor=None) -> None:
    from_status = report.status
    _close(report, Status.RESOLVED)
    report.debunk = debunk
    report.public_feedback = gettext(
        "%(authority)s已就您举报的内容发布辟谣《%(title)s》（结论：%(verdict)s）：%(url)s"
    ) % {
        "authority": debunk.authority.name,
        "title": debunk.title,
        "verdict": debunk.get_verdict_display(),
        "url": debunk_url(debunk),
    }
    report.save()
    _event(
        report,
        kind=EventKind.RESOLVED,
        actor=actor,
        department=debunk.authority,
        from_status=from_status,
        public_text=report.public_feedback,
    )
    _answer_cluster(report, actor)


def debunk_publish(*, debunk_id: int, actor) -> Debunk:
    """Publish a debunk; its linked reports are closed with a link to it by a task."""
    if not actor.has_perm("rumors.publish_debunk"):
        raise PermissionDenied(gettext("只有网信办可以发布辟谣。"))
    with transaction.atomic():
        debunk = Debunk.objects.select_for_update().get(pk=debunk_id)
        if debunk.is_withdrawn:
            raise TransitionError(gettext("已撤回的辟谣不能再次发布。"), code="withdrawn")
        if not debunk.is_published:
            debunk.is_published = True
            debunk.published_at = debunk.published_at or timezone.now()
            debunk.save(update_fields=["is_published", "published_at", "updated_at"])
            audit_record(
                action="rumors.debunk_published",
                actor=actor,
                target=f"rumors.debunk:{debunk.pk} {debunk.title}",
            )
        enqueue_on_commit("rumors.tasks.close_reports_for_debunk", debunk.pk)
        return debunk


def debunk_close_linked_reports(*, debunk_id: int) -> int:
    """Close every open report linked to a published debunk; a re-run changes nothing."""
    debunk = Debunk.objects.select_related("authority").get(pk=debunk_id)
    if not debunk.is_published or debunk.is_withdrawn:
        return 0
    closed = 0
    open_ids = Report.objects.filter(debunk=debunk, status__in=HANDLING_STATUSES).values_list(
        "pk", flat=True
    )
    for report_id in list(open_ids):
        with transaction.atomic():
            report = Report.objects.select_for_update().get(pk=report_id)
            if report.status not in HANDLING_STATUSES:
                continue  # closed meanwhile by staff or an earlier run
            _resolve_with_debunk(report, debunk)
            closed += 1
    return closed


def debunk_correct(*, debunk_id: int, actor, note: str) -> Debunk:
    """Correct a published debunk; every reporter whose report it closed is told again."""
    if not actor.has_perm("rumors.publish_debunk"):
        raise PermissionDenied(gettext("只有网信办可以更正辟谣。"))
    if not note.strip():
        raise ValidationError({"correction_note": gettext("请写明更正的内容。")})
    with transaction.atomic():
        debunk = Debunk.objects.select_for_update().get(pk=debunk_id)
        if not debunk.is_published:
            raise TransitionError(gettext("尚未发布的辟谣直接修改即可，无需更正。"), code="draft")
        if debunk.is_withdrawn:
            raise TransitionError(gettext("已撤回的辟谣不能更正。"), code="withdrawn")
        debunk.corrected_at = timezone.now()
        debunk.correction_note = note.strip()
        debunk.save(update_fields=["corrected_at", "correction_note", "updated_at"])
        audit_record(
            action="rumors.debunk_corrected",
            actor=actor,
            target=f"rumors.debunk:{debunk.pk} {debunk.title}",
        )
        enqueue_on_commit("rumors.tasks.tell_reporters_of_correction", debunk.pk)
        return debunk


def debunk_tell_reporters_of_correction(*, debunk_id: int) -> int:
    """One public event (and message) per report the corrected debunk closed, once."""
    debunk = Debunk.objects.get(pk=debunk_id)
    once = f"debunk-correction:{debunk.pk}:{debunk.corrected_at.isoformat()}"[:100]
    text = gettext("辟谣《%(title)s》已于 %(date)s 更正：%(note)s %(url)s") % {
        "title": debunk.title,
        "date": timezone.localtime(debunk.corrected_at).strftime("%Y-%m-%d"),
        "note": debunk.correction_note,
        "url": debunk_url(debunk),
    }
    reports = Report.objects.filter(debunk=debunk, status=Status.RESOLVED).exclude(
        events__once_key=once
    )
    return sum(
        _tell_once(
            report,
            once,
            department=debunk.authority,
            public_text=text,
            internal_text=gettext("辟谣更正后，再次告知举报人。"),
        )
        for report in reports
    )


def _tell_once(report: Report, once: str, **texts) -> bool:
    """One event with this key on this report; False if a delivery before did it."""
    try:
        with transaction.atomic():
            _event(report, kind=EventKind.NOTE, from_status=report.status, once_key=once, **texts)
    except IntegrityError:
        return False
    return True


WITHDRAWAL_REASON_MAX_LENGTH = 1000


def debunk_withdraw(
    *,
    debunk_id: int,
    actor,
    reason: str,
    reason_en: str = "",
    request: HttpRequest | None = None,
) -> Debunk:
    """Withdraw a published debunk (撤回) with a reason; it is never deleted.

    It leaves the public pages and feeds, its address answers "withdrawn", the label feed
    carries a tombstone, linked reports keep the link and their reporters are told.
    """
    if not actor.has_perm("rumors.publish_debunk"):
        raise PermissionDenied(gettext("只有网信办可以撤回辟谣。"))
    reason, reason_en = (reason or "").strip(), (reason_en or "").strip()
    if not reason:
        raise ValidationError({"withdrawal_reason": gettext("请写明撤回的理由。")})
    for field, text in (("withdrawal_reason", reason), ("withdrawal_reason_en", reason_en)):
        if len(text) > WITHDRAWAL_REASON_MAX_LENGTH:
            raise ValidationError(
                {
                    field: gettext("撤回理由不能超过 %(limit)d 字。")
                    % {"limit": WITHDRAWAL_REASON_MAX_LENGTH}
                }
            )
    with transaction.atomic():
        debunk = Debunk.objects.select_for_update().get(pk=debunk_id)
        if not debunk.is_published:
            raise TransitionError(
                gettext("尚未发布的辟谣无需撤回，可以直接修改或删除。"), code="draft"
            )
        if debunk.is_withdrawn:
            raise TransitionError(
                gettext("该辟谣已于 %(date)s 撤回。")
                % {"date": timezone.localtime(debunk.withdrawn_at).strftime("%Y-%m-%d %H:%M")},
                code="withdrawn",
            )
        debunk.withdrawn_at = timezone.now()
        debunk.withdrawal_reason = reason
        debunk.withdrawal_reason_en = reason_en
        debunk.withdrawn_by = actor
        debunk.save(
            update_fields=[
                "withdrawn_at",
                "withdrawal_reason",
                "withdrawal_reason_en",
                "withdrawn_by",
                "updated_at",
            ]
        )
        audit_record(
            action="rumors.debunk_withdrawn",
            actor=actor,
            target=f"debunk:{debunk.pk} {debunk.slug}",
            request=request,
            detail={
                "debunk_id": debunk.pk,
                "slug": debunk.slug,
                "title": debunk.title,
                "reason": reason,
                "linked_reports": debunk.reports.count(),
            },
        )
        enqueue_on_commit("rumors.tasks.tell_reporters_of_withdrawal", debunk.pk)
        return debunk


def debunk_tell_reporters_of_withdrawal(*, debunk_id: int) -> int:
    """One public event (and message) per report linked to the withdrawn debunk, once."""
    debunk = Debunk.objects.select_related("authority").get(pk=debunk_id)
    if not debunk.is_withdrawn:
        return 0
    once = f"debunk-withdrawal:{debunk.pk}"
    text = gettext("答复您举报的辟谣《%(title)s》已于 %(date)s 撤回。撤回理由：%(reason)s") % {
        "title": debunk.title,
        "date": timezone.localtime(debunk.withdrawn_at).strftime("%Y-%m-%d"),
        "reason": debunk.withdrawal_reason,
    }
    reports = Report.objects.filter(debunk=debunk).exclude(events__once_key=once)
    return sum(
        _tell_once(
            report,
            once,
            department=debunk.authority,
            public_text=text,
            internal_text=gettext("辟谣撤回后，告知举报人。"),
        )
        for report in reports
    )
