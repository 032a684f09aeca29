"""Projects: the gates to open and publish, drafts, review, status, corrections."""

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from wenzhou_portal.audit import audit_record, audit_target

from .. import payments, selectors
from ..models import (
    PUBLIC_PROJECT_STATUSES,
    Correction,
    CorrectionKind,
    DisclosureKind,
    DonationChannel,
    Organisation,
    OrganisationStatus,
    Project,
    ProjectStatus,
    SurplusRule,
)
from .common import FILING_LEAD_DAYS, CharityRefused
from .organisations import _reason

# --- Projects ---------------------------------------------------------------------------


def project_open_refusals(organisation: Organisation, today: date | None = None) -> list[str]:
    """Why this organisation may not open a new project now (empty: it may)."""
    today = today or timezone.localdate()
    reasons = []
    if organisation.status != OrganisationStatus.VERIFIED:
        reasons.append(
            gettext("该组织当前状态为“%(status)s”，只有已核验的组织可以开设新项目。")
            % {"status": organisation.get_status_display()}
        )
    pact = selectors.pact_current()
    if pact is not None and not organisation.pact_signatures.filter(version=pact).exists():
        reasons.append(
            gettext("该组织尚未签署最新的《%(title)s》（第 %(n)s 版），签署后才能开设新项目。")
            % {"title": pact.title, "n": pact.number}
        )
    for project, outcome in selectors.organisation_calendar(organisation, today).overdue:
        due = date_format(outcome.obligation.due, "DATE_FORMAT")
        what = OBLIGATION_LABELS[outcome.obligation.kind]
        if project is None:
            reasons.append(
                gettext("%(year)s 年度报告应在 %(due)s 前公开，至今未公开。")
                % {"year": outcome.obligation.year, "due": due}
            )
        else:
            reasons.append(
                gettext("项目“%(title)s”的%(what)s应在 %(due)s 前公开，至今未公开。")
                % {"title": project.title, "what": what, "due": due}
            )
    return reasons


OBLIGATION_LABELS = {
    "periodic": _("定期信息公开"),
    "final": _("结项信息公开"),
    "leftover": _("剩余财产处理情况"),
    "annual_report": _("年度报告"),
}


def project_publish_refusals(project: Project, today: date | None = None) -> list[str]:
    """Why this project may not be published (approved to raise funds) now."""
    today = today or timezone.localdate()
    reasons = project_open_refusals(project.organisation, today)
    if not project.is_public_fundraising:
        return reasons + _channel_refusals(project)
    if not project.filing_number.strip():
        reasons.append(
            gettext("公开募捐项目须先在“慈善中国”备案募捐方案，并填写募捐方案备案编号。")
        )
    if project.filed_on is None:
        reasons.append(gettext("请填写募捐方案的备案日期。"))
    elif project.starts_on < project.filed_on + timedelta(days=FILING_LEAD_DAYS):
        reasons.append(
            gettext(
                "募捐方案须在开始募捐 10 日前备案：%(filed)s 备案的方案，最早 %(earliest)s 开始募捐。"
            )
            % {
                "filed": date_format(project.filed_on, "DATE_FORMAT"),
                "earliest": date_format(
                    project.filed_on + timedelta(days=FILING_LEAD_DAYS), "DATE_FORMAT"
                ),
            }
        )
    day = max(project.starts_on, today)
    if not project.organisation.qualified_on(day):
        partner = project.partner
        if partner is None:
            reasons.append(
                gettext("发起组织在 %(day)s 没有有效的公开募捐资格，须填写一家具有资格的合作组织。")
                % {"day": date_format(day, "DATE_FORMAT")}
            )
        elif partner.status != OrganisationStatus.VERIFIED or not partner.qualified_on(day):
            reasons.append(
                gettext("合作组织“%(name)s”在 %(day)s 不是已核验且具有公开募捐资格的组织。")
                % {"name": partner.name, "day": date_format(day, "DATE_FORMAT")}
            )
    return reasons + _channel_refusals(project)


def _channel_refusals(project: Project) -> list[str]:
    """Donors need somewhere to give: the portal never takes the money itself."""
    if project.donation_channel == DonationChannel.OWN:
        if payments.provider_available(project.payment_provider):
            return []
        return [
            gettext("组织自有收款渠道须选择本平台已开通的支付服务商（当前：%(code)s）。")
            % {"code": project.payment_provider or "—"}
        ]
    if project.is_public_fundraising and not project.donation_url.strip():
        return [gettext("通过指定募捐平台募捐的项目，须填写该项目在平台上的捐赠页面地址。")]
    return []


def _refuse_if(reasons: list[str], code: str) -> None:
    if reasons:
        raise CharityRefused(reasons, code=code)


# Fields fixed once a project leaves its draft: the surplus rule is declared at creation
# (after the 2015 surplus scandal) and the organisations answer for the project.
FIXED_AFTER_DRAFT = ("organisation", "partner", "surplus_rule", "surplus_fund")
# Published projects change only by a visible correction; these are the purpose.
PURPOSE_FIELDS = ("summary", "body", "cause", "beneficiaries")
CORRECTABLE_FIELDS = (
    "title",
    "summary",
    "body",
    "cause",
    "beneficiaries",
    "district",
    "target_fen",
    "ends_on",
    "filing_number",
    "filed_on",
    "donation_platform",
)


MONEY_COUNTERS = ("raised_fen", "refunded_fen", "spent_fen")
EDITABLE_FIELDS = [
    field.name
    for field in Project._meta.concrete_fields
    if not field.primary_key and field.name not in (*MONEY_COUNTERS, "created_at")
]


def project_save_draft(
    *, project: Project, actor, request: HttpRequest | None = None, changed: list[str] = ()
) -> Project:
    """Create or edit a project before it is published; a new one needs an open organisation."""
    if project.surplus_rule == SurplusRule.FUND and not project.surplus_fund.strip():
        raise ValidationError({"surplus_fund": gettext("请写明剩余善款转入哪个项目或基金。")})
    with transaction.atomic():
        if project.pk is None:
            _refuse_if(project_open_refusals(project.organisation), "organisation_closed")
            project.status = ProjectStatus.DRAFT
            project.save()
            action = "charity.project_created"
        else:
            stored = Project.objects.select_for_update().get(pk=project.pk)
            if stored.status in PUBLIC_PROJECT_STATUSES:
                raise CharityRefused(
                    gettext("已发布的项目不能直接修改，请用“更正”留下公开的更正记录。"),
                    code="published",
                )
            if stored.status != ProjectStatus.DRAFT:
                fixed = [name for name in FIXED_AFTER_DRAFT if name in changed]
                if fixed:
                    raise CharityRefused(
                        gettext("提交审核后，发起组织、合作组织和剩余善款处理方式不能再改。"),
                        code="fixed_after_draft",
                    )
            project.status = stored.status
            # The money counters move only with their ledger entries (charity.services.ledger).
            project.save(update_fields=EDITABLE_FIELDS)
            action = "charity.project_changed"
        audit_record(
            action=action,
            actor=actor,
            target=audit_target(project),
            request=request,
            detail={"fields": sorted(changed)} if changed else {},
        )
    return project


def _transition(*, project_id: int, allowed: tuple[str, ...], to: str) -> Project:
    """Lock the project, refuse unless it is in an allowed status, set the new one (unsaved)."""
    # Lock the project row only: the partner is optional, and PostgreSQL cannot lock the
    # nullable side of the outer join that reads it.
    project = (
        Project.objects.select_for_update(of=("self",))
        .select_related("organisation", "partner")
        .get(pk=project_id)
    )
    if project.status not in allowed:
        raise CharityRefused(
            gettext("项目当前状态为“%(status)s”，不能这样操作。")
            % {"status": project.get_status_display()},
            code="wrong_status",
        )
    project.status = to
    return project


def project_submit(*, project_id: int, actor, request: HttpRequest | None = None) -> Project:
    """A draft goes to review; an organisation that may not open projects cannot submit."""
    with transaction.atomic():
        project = _transition(
            project_id=project_id,
            allowed=(ProjectStatus.DRAFT,),
            to=ProjectStatus.IN_REVIEW,
        )
        _refuse_if(project_open_refusals(project.organisation), "organisation_closed")
        project.review_reason = ""
        project.save(update_fields=["status", "review_reason"])
        audit_record(
            action="charity.project_submitted",
            actor=actor,
            target=audit_target(project),
            request=request,
        )
    return project


def project_approve(*, project_id: int, actor, request: HttpRequest | None = None) -> Project:
    """Approved and published: it raises funds (on the platform it names) from now on."""
    with transaction.atomic():
        project = _transition(
            project_id=project_id,
            allowed=(ProjectStatus.IN_REVIEW,),
            to=ProjectStatus.FUNDRAISING,
        )
        _refuse_if(project_publish_refusals(project), "publish_refused")
        project.reviewed_at = project.published_at = timezone.now()
        project.reviewed_by = actor
        project.review_reason = ""
        project.save(
            update_fields=["status", "reviewed_at", "reviewed_by", "published_at", "review_reason"]
        )
        audit_record(
            action="charity.project_approved",
            actor=actor,
            target=audit_target(project),
            request=request,
        )
    return project


def project_reject(
    *, project_id: int, reason: str, actor, request: HttpRequest | None = None
) -> Project:
    """Sent back to draft with the reviewer's reason."""
    reason = _reason(reason, gettext("请写明不予通过的原因。"))
    with transaction.atomic():
        project = _transition(
            project_id=project_id,
            allowed=(ProjectStatus.IN_REVIEW,),
            to=ProjectStatus.DRAFT,
        )
        project.review_reason = reason
        project.reviewed_at = timezone.now()
        project.reviewed_by = actor
        project.save(update_fields=["status", "review_reason", "reviewed_at", "reviewed_by"])
        audit_record(
            action="charity.project_rejected",
            actor=actor,
            target=audit_target(project),
            request=request,
            detail={"reason": reason},
        )
    return project


def project_complete(*, project_id: int, actor, request: HttpRequest | None = None) -> Project:
    """Fundraising has ended: the project owes its final and leftover disclosures."""
    with transaction.atomic():
        project = _transition(
            project_id=project_id,
            allowed=(ProjectStatus.FUNDRAISING,),
            to=ProjectStatus.COMPLETED,
        )
        project.save(update_fields=["status"])
        audit_record(
            action="charity.project_completed",
            actor=actor,
            target=audit_target(project),
            request=request,
        )
    return project


def project_close(*, project_id: int, actor, request: HttpRequest | None = None) -> Project:
    """Closed (结项) once the final and leftover disclosures are public."""
    with transaction.atomic():
        project = _transition(
            project_id=project_id,
            allowed=(ProjectStatus.COMPLETED,),
            to=ProjectStatus.CLOSED,
        )
        published = set(project.disclosures.values_list("kind", flat=True))
        missing = [
            str(DisclosureKind(kind).label)
            for kind in (DisclosureKind.FINAL, DisclosureKind.LEFTOVER)
            if kind not in published
        ]
        if missing:
            raise CharityRefused(
                gettext("结项前须先公开：%(missing)s。") % {"missing": "、".join(missing)},
                code="disclosures_missing",
            )
        project.save(update_fields=["status"])
        audit_record(
            action="charity.project_closed",
            actor=actor,
            target=audit_target(project),
            request=request,
        )
    return project


def _shown(project: Project, name: str) -> str:
    value = getattr(project, name)
    if name == "target_fen":
        return project.target_yuan
    display = getattr(project, f"get_{name}_display", None)
    if display is not None:
        return str(display())
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def project_correct(
    *,
    project_id: int,
    changes: dict[str, object],
    note: str,
    actor,
    request: HttpRequest | None = None,
) -> list[Correction]:
    """Change a published project with one public correction record per changed field."""
    note = (note or "").strip()
    if not note:
        raise ValidationError(
            {"note": gettext("已发布项目的每一处修改都要写明更正说明，说明会在项目页公开。")}
        )
    unknown = sorted(set(changes) - set(CORRECTABLE_FIELDS))
    if unknown:
        raise CharityRefused(
            gettext("这些内容发布后不能更改：%(fields)s。")
            % {"fields": "、".join(str(Project._meta.get_field(n).verbose_name) for n in unknown)},
            code="not_correctable",
        )
    with transaction.atomic():
        project = Project.objects.select_for_update().get(pk=project_id)
        if project.status not in PUBLIC_PROJECT_STATUSES:
            raise CharityRefused(gettext("项目尚未发布，直接修改即可。"), code="not_published")
        now = timezone.now()
        records = []
        for name, value in changes.items():
            if getattr(project, name) == value:
                continue
            old = _shown(project, name)
            setattr(project, name, value)
            records.append(
                Correction(
                    project=project,
                    kind=CorrectionKind.PURPOSE_CHANGE
                    if name in PURPOSE_FIELDS
                    else CorrectionKind.CORRECTION,
                    field=str(Project._meta.get_field(name).verbose_name),
                    old_value=old,
                    new_value=_shown(project, name),
                    note=note,
                    made_at=now,
                    made_by=actor,
                )
            )
        if not records:
            return []
        project.full_clean(exclude=["cover", "organisation", "partner"])
        project.save(update_fields=list(changes))
        Correction.objects.bulk_create(records)
        audit_record(
            action="charity.project_corrected",
            actor=actor,
            target=audit_target(project),
            request=request,
            detail={"fields": sorted(changes), "note": note},
        )
    return records
