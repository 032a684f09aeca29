"""Who may take which handling action from which state (the policy every action checks)."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ..models import (
    OPEN_STATUSES,
    Department,
    Report,
    Status,
)
from ..selectors import is_office_admin, user_department_ids
from .events import TransitionError
from .routing import office_department

# Which internal states each action may start from. Anything else is refused.
ALLOWED_FROM = {
    "assign": {Status.RECEIVED, Status.TRIAGE},
    "accept": {Status.ROUTED},
    "send_back": {Status.ROUTED, Status.IN_PROGRESS, Status.WAITING_REPORTER},
    "pause": {Status.IN_PROGRESS},
    "resume": {Status.WAITING_REPORTER},
    "resolve": {Status.ROUTED, Status.IN_PROGRESS, Status.WAITING_REPORTER},
    "reject": set(OPEN_STATUSES),
    "merge": set(OPEN_STATUSES),
    "reclassify": set(OPEN_STATUSES),
    "unlink_duplicate": set(Status),
    "link_debunk": set(OPEN_STATUSES),
}

OFFICE_ONLY = {"assign", "merge", "reclassify", "unlink_duplicate"}

ACTION_LABELS = {
    "assign": _("人工分办"),
    "accept": _("开始处置"),
    "send_back": _("退回网信办"),
    "pause": _("等待举报人补充"),
    "resume": _("恢复办理"),
    "resolve": _("办结反馈"),
    "reject": _("不予受理"),
    "merge": _("合并"),
    "reclassify": _("更正类别或地区"),
    "unlink_duplicate": _("撤销重复关联"),
    "link_debunk": _("关联辟谣"),
    "note": _("内部批注"),
}


def actions_allowed(*, user, report: Report) -> list[str]:
    """The actions this user may take on this report now (for buttons and the API)."""
    return [
        action
        for action in ACTION_LABELS
        if action_permitted(user=user, report=report, action=action)
        and (action == "note" or report.status in ALLOWED_FROM[action])
    ]


def action_permitted(*, user, report: Report, action: str) -> bool:
    """May this user take this action on this report at all (whatever its state)?"""
    if not getattr(user, "is_authenticated", False) or not user.is_staff:
        return False
    if is_office_admin(user):
        return True
    departments = user_department_ids(user)
    if action == "note":
        return report.lead_department_id in departments or bool(
            departments & set(report.co_handlers.values_list("pk", flat=True))
        )
    return action not in OFFICE_ONLY and report.lead_department_id in departments


def _lock_for(user, report_id: int, action: str) -> Report:
    report = Report.objects.select_for_update().get(pk=report_id)
    if not action_permitted(user=user, report=report, action=action):
        raise PermissionDenied(gettext("您无权对该举报执行此操作。"))
    if action != "note" and report.status not in ALLOWED_FROM[action]:
        raise TransitionError(
            gettext("举报当前状态为“%(status)s”，不能执行“%(action)s”。")
            % {"status": report.get_status_display(), "action": ACTION_LABELS[action]},
            code="invalid_transition",
        )
    return report


def _actor_department(user, report: Report) -> Department | None:
    if report.lead_department_id in user_department_ids(user):
        return report.lead_department
    return office_department() if is_office_admin(user) else None
