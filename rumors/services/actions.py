"""One entry point for a handling action by name, shared by admin and the API."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext

from ..models import (
    Report,
)
from ..selectors import report_by_tracking_code
from .debunks import report_link_debunk
from .handling import (
    report_accept,
    report_assign,
    report_merge,
    report_note,
    report_pause,
    report_reclassify,
    report_reject,
    report_resolve,
    report_resume,
    report_send_back,
    report_unlink_duplicate,
)
from .intake import tracking_code_normalise


def report_act(*, user, report: Report, data: dict) -> Report:
    """Dispatch one handling action from a form to its service (shared by admin and API)."""
    action = data["action"]
    public_text = data.get("public_text") or ""
    internal_text = data.get("internal_text") or ""
    if action == "accept":
        return report_accept(report_id=report.pk, actor=user)
    if action == "note":
        report_note(report_id=report.pk, actor=user, text=internal_text)
        return report
    if action == "send_back":
        return report_send_back(report_id=report.pk, actor=user, reason=internal_text)
    if action == "pause":
        return report_pause(report_id=report.pk, actor=user, request_text=public_text)
    if action == "resume":
        return report_resume(report_id=report.pk, actor=user, text=internal_text)
    if action == "resolve":
        return report_resolve(
            report_id=report.pk, actor=user, feedback=public_text, internal_text=internal_text
        )
    if action == "reject":
        return report_reject(
            report_id=report.pk,
            actor=user,
            reason=data.get("reason") or "",
            text=public_text,
            redirect_to=data.get("redirect_to") or "",
        )
    if action == "assign":
        department = data.get("department")
        if department is None:
            raise ValidationError({"department": gettext("请选择分办部门。")})
        return report_assign(
            report_id=report.pk,
            actor=user,
            department=department,
            working_days=data.get("working_days") or 5,
        )
    if action == "merge":
        primary = report_by_tracking_code(tracking_code_normalise(data.get("primary_code") or ""))
        if primary is None:
            raise ValidationError({"primary_code": gettext("没有找到该查询码对应的举报。")})
        return report_merge(
            report_id=report.pk, actor=user, primary_id=primary.pk, text=internal_text
        )
    if action == "unlink_duplicate":
        return report_unlink_duplicate(report_id=report.pk, actor=user)
    if action == "link_debunk":
        debunk = data.get("debunk")
        if debunk is None:
            raise ValidationError({"debunk": gettext("请选择要关联的辟谣。")})
        return report_link_debunk(report_id=report.pk, actor=user, debunk_id=debunk.pk)
    if action == "reclassify":
        return report_reclassify(
            report_id=report.pk,
            actor=user,
            category=data.get("category") or report.category,
            district=data.get("district") or "",
            why=internal_text,
        )
    raise ValidationError({"action": gettext("未知的操作。")})
