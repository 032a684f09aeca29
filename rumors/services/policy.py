"""The report actions: one table of who may do what from which state, with which fields.

Every handling action is one ``ReportAction`` entry in ``ACTIONS``: its label, the states
it may start from, who may take it, and the fields it reads. Its service registers itself
with ``@performs(name)``. Admin builds each action's form from the entry, the API its
serializer, ``actions_allowed`` the buttons, and ``_lock_for`` the checks inside every
service — so adding an action is one entry here and one decorated service.
"""

import functools
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from enum import StrEnum

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from wenzhou_portal.audit import audit_record
from wenzhou_portal.districts import District

from ..models import (
    HANDLING_STATUSES,
    Category,
    Department,
    EventKind,
    RejectionReason,
    Report,
    Status,
)
from ..selectors import is_office_admin, user_department_ids
from .events import TransitionError
from .routing import office_department


class Who(StrEnum):
    """Who may take an action (office admins may take every action)."""

    OFFICE = "office"  # office admins only
    LEAD = "lead"  # the lead department (and the office)
    LEAD_OR_CO_HANDLER = "lead_or_co_handler"  # also a co-handling department


class FieldKind(StrEnum):
    TEXT = "text"  # one line
    LONG_TEXT = "long_text"
    CHOICE = "choice"
    INTEGER = "integer"
    DEPARTMENT = "department"  # an active department's id
    DEBUNK = "debunk"  # a debunk's id (admin offers a search of published ones)
    TRACKING_CODE = "tracking_code"


@dataclass(frozen=True)
class ActionField:
    """One input of an action; its name is the service's keyword argument."""

    name: str
    label: Promise
    kind: FieldKind
    required: bool = False
    public: bool = False  # text the reporter reads
    max_length: int | None = None
    min_value: int | None = None
    max_value: int | None = None
    choices: Callable[[], list[tuple[str, str]]] | None = None


@dataclass(frozen=True)
class ReportAction:
    name: str
    label: Promise
    allowed_from: frozenset[str] | None  # None: from any state
    who: Who
    fields: tuple[ActionField, ...] = ()
    service: Callable[..., object] | None = field(default=None, compare=False)
    # Four eyes: nobody who took part in handling the report may take this action.
    four_eyes: bool = False


LONG = 4000
# The events whose actors took part in handling a report.
HANDLING_EVENT_KINDS = frozenset(
    {
        EventKind.ASSIGNED,
        EventKind.ACCEPTED,
        EventKind.PAUSED,
        EventKind.RESUMED,
        EventKind.RESOLVED,
        EventKind.REJECTED,
        EventKind.SENT_BACK,
    }
)
PUBLIC_FIELD_HINT = _("举报人会看到这段文字。")
# The second look's answer to the reporter, the same field for both decisions.
REVIEW_REPLY = ActionField(
    "reply",
    _("给举报人的复核意见"),
    FieldKind.LONG_TEXT,
    required=True,
    public=True,
    max_length=LONG,
)
ACTIONS: dict[str, ReportAction] = {
    action.name: action
    for action in (
        ReportAction("accept", _("开始处置"), frozenset({Status.ROUTED}), Who.LEAD),
        ReportAction(
            "pause",
            _("等待举报人补充"),
            frozenset({Status.IN_PROGRESS}),
            Who.LEAD,
            (
                ActionField(
                    "request_text",
                    _("请举报人补充什么"),
                    FieldKind.LONG_TEXT,
                    required=True,
                    public=True,
                    max_length=LONG,
                ),
            ),
        ),
        ReportAction(
            "resume",
            _("恢复办理"),
            frozenset({Status.WAITING_REPORTER}),
            Who.LEAD,
            (ActionField("text", _("内部说明"), FieldKind.LONG_TEXT, max_length=LONG),),
        ),
        ReportAction(
            "resolve",
            _("办结反馈"),
            frozenset({Status.ROUTED, Status.IN_PROGRESS, Status.WAITING_REPORTER}),
            Who.LEAD,
            (
                ActionField(
                    "feedback",
                    _("给举报人的反馈"),
                    FieldKind.LONG_TEXT,
                    required=True,
                    public=True,
                    max_length=LONG,
                ),
                ActionField("internal_text", _("内部说明"), FieldKind.LONG_TEXT, max_length=LONG),
            ),
        ),
        ReportAction(
            "link_debunk",
            _("以辟谣答复"),
            HANDLING_STATUSES,
            Who.LEAD,
            (ActionField("debunk_id", _("辟谣"), FieldKind.DEBUNK, required=True),),
        ),
        ReportAction(
            "reject",
            _("不予受理"),
            HANDLING_STATUSES,
            Who.LEAD,
            (
                ActionField(
                    "reason",
                    _("不予受理原因"),
                    FieldKind.CHOICE,
                    required=True,
                    choices=lambda: list(RejectionReason.choices),
                ),
                ActionField(
                    "text",
                    _("给举报人的说明"),
                    FieldKind.LONG_TEXT,
                    required=True,
                    public=True,
                    max_length=LONG,
                ),
                ActionField("redirect_to", _("可另行反映的渠道"), FieldKind.TEXT, max_length=200),
            ),
        ),
        ReportAction(
            "send_back",
            _("退回网信办"),
            frozenset({Status.ROUTED, Status.IN_PROGRESS, Status.WAITING_REPORTER}),
            Who.LEAD,
            (
                ActionField(
                    "reason", _("退回原因"), FieldKind.LONG_TEXT, required=True, max_length=LONG
                ),
            ),
        ),
        ReportAction(
            "note",
            _("内部批注"),
            None,
            Who.LEAD_OR_CO_HANDLER,
            (
                ActionField(
                    "text", _("批注内容"), FieldKind.LONG_TEXT, required=True, max_length=LONG
                ),
            ),
        ),
        ReportAction(
            "assign",
            _("人工分办"),
            frozenset({Status.RECEIVED, Status.TRIAGE}),
            Who.OFFICE,
            (
                ActionField("department_id", _("分办到"), FieldKind.DEPARTMENT, required=True),
                ActionField(
                    "working_days",
                    _("办理时限（工作日）"),
                    FieldKind.INTEGER,
                    min_value=1,
                    max_value=90,
                ),
            ),
        ),
        ReportAction(
            "merge",
            _("合并"),
            HANDLING_STATUSES,
            Who.OFFICE,
            (
                ActionField(
                    "primary_code",
                    _("合并到（查询码）"),
                    FieldKind.TRACKING_CODE,
                    required=True,
                    max_length=40,
                ),
                ActionField("text", _("内部说明"), FieldKind.LONG_TEXT, max_length=LONG),
            ),
        ),
        ReportAction(
            "reclassify",
            _("更正类别或地区"),
            HANDLING_STATUSES,
            Who.OFFICE,
            (
                ActionField(
                    "category",
                    _("类别"),
                    FieldKind.CHOICE,
                    choices=lambda: list(Category.choices),
                ),
                ActionField(
                    "district",
                    _("县（市、区）"),
                    FieldKind.CHOICE,
                    choices=lambda: [("", gettext("未填写")), *District.choices],
                ),
                ActionField("why", _("更正原因"), FieldKind.LONG_TEXT, max_length=LONG),
            ),
        ),
        ReportAction("unlink_duplicate", _("撤销重复关联"), frozenset(Status), Who.OFFICE),
        ReportAction(
            "review_uphold",
            _("复核：维持原结果"),
            frozenset({Status.REVIEW}),
            Who.OFFICE,
            (REVIEW_REPLY,),
            four_eyes=True,
        ),
        ReportAction(
            "review_reopen",
            _("复核：重新办理"),
            frozenset({Status.REVIEW}),
            Who.OFFICE,
            (
                REVIEW_REPLY,
                ActionField(
                    "working_days",
                    _("重新办理时限（工作日）"),
                    FieldKind.INTEGER,
                    min_value=1,
                    max_value=90,
                ),
            ),
            four_eyes=True,
        ),
    )
}


def performs(name: str) -> Callable:
    """Register a service as the one that performs this action; it is audited.

    The service runs with the audit record in one transaction: the record exists exactly
    when the action took effect.
    """

    def register(service: Callable) -> Callable:
        @functools.wraps(service)
        def audited(*, report_id: int, actor, **values):
            with transaction.atomic():
                result = service(report_id=report_id, actor=actor, **values)
                audit_record(
                    action=f"rumors.report_{name}",
                    actor=actor,
                    target=f"rumors.report:{report_id}",
                    detail={"fields": sorted(key for key, value in values.items() if value)},
                )
            return result

        ACTIONS[name] = replace(ACTIONS[name], service=audited)
        return audited

    return register


def actions_allowed(*, user, report: Report) -> list[str]:
    """The actions this user may take on this report now (for buttons and the API)."""
    return [
        name
        for name, action in ACTIONS.items()
        if action_permitted(user=user, report=report, action=name)
        and (action.allowed_from is None or report.status in action.allowed_from)
    ]


def action_permitted(*, user, report: Report, action: str) -> bool:
    """May this user take this action on this report at all (whatever its state)?"""
    if not getattr(user, "is_authenticated", False) or not user.is_staff:
        return False
    if ACTIONS[action].four_eyes and user.pk in _handler_ids(report):
        return False
    if is_office_admin(user):
        return True
    who = ACTIONS[action].who
    if who == Who.OFFICE:
        return False
    departments = user_department_ids(user)
    if report.lead_department_id in departments:
        return True
    return who == Who.LEAD_OR_CO_HANDLER and bool(
        departments & set(report.co_handlers.values_list("pk", flat=True))
    )


def _handler_ids(report: Report) -> set[int]:
    # The users who took part in handling (their events): four-eyes actions exclude them.
    return set(
        report.events.filter(kind__in=HANDLING_EVENT_KINDS, actor__isnull=False).values_list(
            "actor_id", flat=True
        )
    )


def _lock_for(user, report_id: int, action: str) -> Report:
    report = Report.objects.select_for_update().get(pk=report_id)
    if not action_permitted(user=user, report=report, action=action):
        raise PermissionDenied(gettext("您无权对该举报执行此操作。"))
    allowed_from = ACTIONS[action].allowed_from
    if allowed_from is not None and report.status not in allowed_from:
        raise TransitionError(
            gettext("举报当前状态为“%(status)s”，不能执行“%(action)s”。")
            % {"status": report.get_status_display(), "action": ACTIONS[action].label},
            code="invalid_transition",
        )
    return report


def _actor_department(user, report: Report) -> Department | None:
    if report.lead_department_id in user_department_ids(user):
        return report.lead_department
    return office_department() if is_office_admin(user) else None


def report_action_take(*, actor, report_id: int, action: str, values: dict) -> object:
    """Take one action by name with the values of its fields (admin and API alike).

    Values of fields the action does not have are ignored; an unknown action is a field
    error on "action". The service validates the values and raises field errors by name.
    """
    spec = ACTIONS.get(action)
    if spec is None or spec.service is None:
        raise ValidationError({"action": gettext("未知的操作。")})
    arguments = {}
    for action_field in spec.fields:
        value = values.get(action_field.name)
        if value is not None and value != "":
            arguments[action_field.name] = value
    return spec.service(report_id=report_id, actor=actor, **arguments)


# Labels by name, for lists that only need them.
ACTION_LABELS = {name: action.label for name, action in ACTIONS.items()}
