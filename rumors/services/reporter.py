"""The reporter's side of the loop: answer a request, ask for a second look, keep the link.

A reporter is known only by the tracking code: every step here takes the code, and any
code that does not lead to a report able to take the step answers as a lookup miss
(``ReportNotFound``), so that these forms cannot be used to learn which codes exist or
what state a stranger's report is in.
"""

import logging
import unicodedata
from datetime import date, datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from wenzhou_portal import images as evidence_files
from wenzhou_portal.phones import mobile_normalise
from wenzhou_portal.sms import send_sms

from ..models import EventKind, Rating, Report, ReportEvent, Status
from ..workdays import work_calendar
from .events import TransitionError, _event, _notify_department, _notify_office_admins
from .handling import _unpause
from .intake import CONTENT_MAX, _store_evidence, tracking_code_normalise
from .links import report_private_url

logger = logging.getLogger("rumors")

ANSWER_MAX = CONTENT_MAX
REVIEW_REASON_MAX = Report._meta.get_field("review_reason").max_length
# A second look may be asked within 15 working days of closing; the office decides in 10.
REVIEW_WINDOW_WORKING_DAYS = 15
REVIEW_DUE_WORKING_DAYS = 10


class ReportNotFound(Report.DoesNotExist):
    """Any miss: a malformed or unknown code, or a report that cannot take this step."""


def tracking_code_read(raw: object) -> str | None:
    """A code as typed or linked (anything but text is no code)."""
    if not isinstance(raw, str):
        return None
    return tracking_code_normalise(raw)


def _citizen_text(raw: object, *, field: str, maximum: int, empty: str) -> str:
    """The intake rules for free text: trimmed, not blank, within the column; characters
    that cannot be stored (NUL, lone surrogates) refused. Invisible and direction-changing
    characters are kept as typed: staff see them as markers (wenzhou_portal.text)."""
    text = raw.strip() if isinstance(raw, str) else ""
    visible = "".join(char for char in text if unicodedata.category(char) not in {"Cf", "Zs", "Cc"})
    if not visible.strip():
        raise ValidationError({field: empty})
    if any(
        unicodedata.category(char) == "Cs"
        or (unicodedata.category(char) == "Cc" and char not in "\n\r\t")
        for char in text
    ):
        raise ValidationError({field: gettext("内容含有无法识别的字符，请删除后重试。")})
    if len(text) > maximum:
        raise ValidationError({field: gettext("不能超过 %(max)s 字。") % {"max": maximum}})
    return text


def report_information_request(report: Report) -> str:
    """What the department asked the reporter, while it waits for the answer."""
    if report.status != Status.WAITING_REPORTER:
        return ""
    asked = (
        ReportEvent.objects.filter(report=report, kind=EventKind.PAUSED)
        .exclude(public_text="")
        .order_by("-created_at", "-pk")
        .values_list("public_text", flat=True)
        .first()
    )
    return asked or ""


def report_reporter_answer(
    *,
    tracking_code: str,
    text: str,
    images: list[evidence_files.DecodedImage] | tuple = (),
) -> Report:
    """The reporter answers a request for information: the answer is an event, its
    screenshots are evidence, the clock resumes and the lead department is told."""
    text = _citizen_text(
        text, field="text", maximum=ANSWER_MAX, empty=gettext("请填写您要补充的内容。")
    )
    if len(images) > settings.REPORT_EVIDENCE_MAX_FILES:
        raise ValidationError(
            {
                "images": gettext("最多上传 %(max)s 张截图。")
                % {"max": settings.REPORT_EVIDENCE_MAX_FILES}
            }
        )
    code = tracking_code_read(tracking_code)
    if code is None:
        raise ReportNotFound
    stored: list[str] = []
    try:
        with transaction.atomic():
            report = Report.objects.select_for_update().filter(tracking_code=code).first()
            # Closed, merged, already answered: all look like a wrong code from here.
            if report is None or report.status != Status.WAITING_REPORTER:
                raise ReportNotFound
            from_status = report.status
            _unpause(report)
            report.status = Status.IN_PROGRESS
            report.save(update_fields=["status", "paused_at", "due_at", "updated_at"])
            event = _event(
                report,
                kind=EventKind.REPORTER_ANSWERED,
                from_status=from_status,
                public_text=text,
            )
            for image in images:
                stored.extend(_store_evidence(report, image, event=event))
            _notify_department(
                event,
                report.lead_department,
                gettext("【清朗温州】举报 %(code)s 的举报人已补充材料")
                % {"code": report.formatted_tracking_code},
                gettext(
                    "举报人回复了补充请求（附截图 %(count)s 张），办理期限恢复计算，"
                    "新的期限：%(due)s。请登录后台查看。"
                )
                % {
                    "count": len(images),
                    "due": timezone.localtime(report.due_at).strftime("%Y-%m-%d")
                    if report.due_at
                    else "-",
                },
            )
    except Exception:
        for path in stored:
            evidence_files.delete_private(path)
        raise
    return report


def review_last_day(report: Report, calendar=None) -> date | None:
    """The last day a second look may be asked for (15 working days after closing)."""
    if report.closed_at is None:
        return None
    deadline = (calendar or work_calendar()).add_working_days(
        report.closed_at, REVIEW_WINDOW_WORKING_DAYS
    )
    return timezone.localtime(deadline).date()


def review_refusal(report: Report, *, now: datetime | None = None, calendar=None) -> str:
    """Why this report may not be given a second look now; "" when it may."""
    if report.review_requested_at is not None:
        return gettext("您已经申请过复核，每件举报只能申请一次。")
    if (
        report.status != Status.RESOLVED
        or report.rating != Rating.UNSATISFIED
        or report.closed_at is None
    ):
        return gettext("只有已办结、且您评价为“不满意”的举报可以申请复核。")
    calendar = calendar or work_calendar()
    waited = calendar.working_days_between(report.closed_at, now or timezone.now())
    if waited > REVIEW_WINDOW_WORKING_DAYS:
        return gettext("申请复核须在办结后 %(days)s 个工作日内提出，期限已过。") % {
            "days": REVIEW_WINDOW_WORKING_DAYS
        }
    return ""


def report_review_request(*, tracking_code: str, reason: str) -> Report:
    """An unsatisfied reporter asks, once and in time, for an office admin to look again."""
    reason = _citizen_text(
        reason,
        field="reason",
        maximum=REVIEW_REASON_MAX,
        empty=gettext("请写明申请复核的理由。"),
    )
    code = tracking_code_read(tracking_code)
    if code is None:
        raise ReportNotFound
    with transaction.atomic():
        report = Report.objects.select_for_update().filter(tracking_code=code).first()
        if report is None:
            raise ReportNotFound
        now = timezone.now()
        calendar = work_calendar()
        refusal = review_refusal(report, now=now, calendar=calendar)
        if refusal:
            raise TransitionError(refusal, code="review_refused")
        from_status = report.status
        report.status = Status.REVIEW
        report.review_requested_at = now
        report.review_reason = reason
        report.due_at = calendar.add_working_days(now, REVIEW_DUE_WORKING_DAYS)
        report.save(
            update_fields=["status", "review_requested_at", "review_reason", "due_at", "updated_at"]
        )
        due = timezone.localtime(report.due_at).strftime("%Y-%m-%d")
        event = _event(
            report,
            kind=EventKind.REVIEW_REQUESTED,
            from_status=from_status,
            public_text=gettext(
                "我们已收到您的复核申请。网信办将另请未参与办理的工作人员复核，"
                "预计在 %(due)s 前答复您。"
            )
            % {"due": due},
            internal_text=reason,
        )
        _notify_office_admins(
            event,
            gettext("【清朗温州】举报 %(code)s 申请复核")
            % {"code": report.formatted_tracking_code},
            gettext("举报人对办理结果不满意，申请复核。理由：%(reason)s\n复核期限：%(due)s")
            % {"reason": reason, "due": due},
        )
        return report


class LinkNotSent(ValidationError):
    """The link could not be sent (a refused address, or the gateway failed)."""


def link_address_read(raw: object) -> tuple[str, str]:
    """("sms", the 11 digits) or ("email", the address) as typed; LinkNotSent otherwise."""
    address = unicodedata.normalize("NFKC", raw).strip() if isinstance(raw, str) else ""
    if not address:
        raise LinkNotSent({"address": gettext("请填写手机号码或电子邮箱。")}, code="required")
    if "@" not in address:
        try:
            return "sms", mobile_normalise(address)
        except ValidationError as exc:
            raise LinkNotSent({"address": exc.messages[0]}, code="invalid") from exc
    try:
        if len(address) > Report._meta.get_field("contact_email").max_length:
            raise ValidationError("too long")
        validate_email(address)
    except ValidationError as exc:
        raise LinkNotSent(
            {"address": gettext("请输入正确的电子邮箱地址。")}, code="invalid"
        ) from exc
    return "email", address


def report_link_send(*, report: Report, address: str) -> str:
    """Send the private link to a phone or an e-mail address the reporter types in.

    The address is used once and never stored: a reporter who did not consent to be
    contacted when filing leaves no contact on the report by asking for the link. Sent at
    once (as a text-message code is), so the reporter knows on this page that it arrived.
    Returns the channel used, "sms" or "email".
    """
    channel, address = link_address_read(address)
    url = report_private_url(report)
    code = report.formatted_tracking_code
    try:
        if channel == "email":
            send_mail(
                gettext("【清朗温州】您的举报查询链接"),
                gettext(
                    "您好！您在清朗温州提交的举报，查询码是 %(code)s。\n\n"
                    "打开以下链接即可查看处理进度（请勿转发给他人）：\n%(url)s\n\n"
                    "查询码无法找回，请妥善保存本邮件。"
                )
                % {"code": code, "url": url},
                None,
                [address],
            )
        else:
            send_sms(
                address,
                gettext("【清朗温州】您的举报查询码%(code)s，查看进度：%(url)s 请勿转发。")
                % {"code": code, "url": url},
            )
    except Exception as exc:
        logger.warning("tracking link not sent", extra={"channel": channel})
        raise LinkNotSent(
            {"address": gettext("发送失败，请稍后再试，或先抄写查询码。")}, code="send_failed"
        ) from exc
    return channel
