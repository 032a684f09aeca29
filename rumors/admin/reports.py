"""Admin for reports: the scoped list, the report page with its actions, the event log."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef, Prefetch
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    StreamingHttpResponse,
)
from django.template.defaultfilters import linebreaksbr
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from wenzhou_portal import aigc
from wenzhou_portal.csv_export import SafeWriter
from wenzhou_portal.notifications import notifications_about
from wenzhou_portal.text import has_spoofing, neutralise_html

from .. import selectors, services
from ..models import (
    Evidence,
    Report,
    ReportEvent,
    ReportTag,
    TriageTag,
)
from .action_forms import ReportActionForm
from .display import _shown, _spoofing_badge

ACTION_DRAFT_SESSION_KEY = "rumors_report_action_draft"


class OverdueFilter(admin.SimpleListFilter):
    title = _("是否超期")
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", _("已超期")), ("no", _("未超期"))]

    def queryset(self, request, queryset):
        overdue = selectors.reports_overdue(queryset)
        if self.value() == "yes":
            return overdue
        if self.value() == "no":
            return queryset.exclude(pk__in=overdue.values("pk"))
        return queryset


class EscalatedFilter(admin.SimpleListFilter):
    title = _("超期上报")
    parameter_name = "escalated"

    def lookups(self, request, model_admin):
        return [("yes", _("已上报网信办")), ("reminded", _("已催办"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(escalated_at__isnull=False)
        if self.value() == "reminded":
            return queryset.filter(reminder_sent_at__isnull=False)
        return queryset


class TriageTagFilter(admin.SimpleListFilter):
    title = _("研判标签")
    parameter_name = "tag"

    def lookups(self, request, model_admin):
        return TriageTag.choices

    def queryset(self, request, queryset):
        if self.value() is None:
            return queryset
        if self.value() not in TriageTag.values:
            return queryset.none()
        return queryset.filter(
            Exists(ReportTag.objects.filter(report=OuterRef("pk"), tag=self.value()))
        )


CSV_COLUMNS = [
    ("tracking_code", _("查询码")),
    ("created_at", _("提交时间")),
    ("category", _("类别")),
    ("platform", _("平台")),
    ("district", _("县（市、区）")),
    ("status", _("状态")),
    ("lead_department", _("牵头部门")),
    ("due_at", _("办理期限")),
    ("closed_at", _("办结时间")),
    ("rating", _("评价")),
]


class _Echo:
    def write(self, value: str) -> str:
        return value


# Citizens' text reaches staff with invisible and direction-changing characters made
# visible (⟦U+202E⟧), so that "gpj.exe" is not read as "exe.jpg".
REPORT_CITIZEN_TEXT = ("content", "url", "account", "place_description", "rating_comment")


def _report_has_spoofing(report: Report) -> bool:
    return any(has_spoofing(getattr(report, name)) for name in REPORT_CITIZEN_TEXT)


def _citizen_text_field(name: str, *, linebreaks: bool = False):
    """A read-only admin field showing a report's text neutralised."""

    @admin.display(description=Report._meta.get_field(name).verbose_name)
    def shown(self, report: Report) -> SafeString:
        html = neutralise_html(getattr(report, name))
        return linebreaksbr(html) if linebreaks else html

    return shown


def _ai_label_fields(evidence: Evidence) -> list[tuple[str, SafeString]]:
    """A file's GB 45438 label fields in the standard's order; they come from the citizen's
    file, so they are shown neutralised."""
    fields = evidence.ai_label_fields or {}
    names = [(name, name) for name in aigc.FIELDS]
    names.append(("raw", gettext("标识内容（无法解析）")))
    return [(shown, neutralise_html(str(fields[name]))) for name, shown in names if name in fields]


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    change_form_template = "admin/rumors/report/change_form.html"
    list_display = (
        "code",
        "category",
        "platform",
        "district",
        "status",
        "lead_department",
        "due_at",
        "overdue",
        "heat",
        "priority",
        "created_at",
        "content_excerpt",
        "tags",  # after the sortable columns: their links (?o=9 for heat) keep their numbers
    )
    list_filter = (
        "status",
        "category",
        "platform",
        "district",
        "lead_department",
        OverdueFilter,
        EscalatedFilter,
        TriageTagFilter,
        "routing_state",
    )
    search_fields = ("tracking_code", "content", "account", "url")
    date_hierarchy = "created_at"
    list_per_page = 50
    actions = ["export_csv"]
    fields = (
        "code",
        "category",
        "platform",
        "district",
        "shown_url",
        "shown_account",
        "shown_place_description",
        "shown_content",
        "seen_at",
        "status",
        "lead_department",
        "routing_rule",
        "due_at",
        "paused_at",
        "merged_into",
        "duplicate_of",
        "debunk",
        "public_feedback",
        "rating",
        "shown_rating_comment",
        "priority",
        "created_at",
        "closed_at",
    )
    readonly_fields = fields

    shown_url = _citizen_text_field("url")
    shown_account = _citizen_text_field("account")
    shown_place_description = _citizen_text_field("place_description")
    shown_content = _citizen_text_field("content", linebreaks=True)
    shown_rating_comment = _citizen_text_field("rating_comment")

    @admin.display(description=_("查询码"), ordering="tracking_code")
    def code(self, obj: Report) -> str:
        return obj.formatted_tracking_code

    @admin.display(description=_("举报内容"))
    def content_excerpt(self, obj: Report) -> SafeString:
        badge = _spoofing_badge() if _report_has_spoofing(obj) else ""
        return format_html("{}{}", badge, _shown(obj.content, limit=40))

    @admin.display(description=_("超期"), boolean=True)
    def overdue(self, obj: Report) -> bool:
        return obj.is_overdue

    def get_queryset(self, request):
        reports = selectors.reports_with_heat(selectors.reports_visible_to(request.user))
        # One query for the tags of a whole page (the "tags" column).
        return reports.prefetch_related(
            Prefetch("triage_tags", queryset=ReportTag.objects.only("report_id", "tag"))
        )

    @admin.display(description=_("研判标签"))
    def tags(self, obj: Report) -> str:
        return "、".join(str(tag.get_tag_display()) for tag in obj.triage_tags.all()) or "—"

    def get_ordering(self, request):
        # Triage starts with the hottest clusters (open reports of the same thing), then
        # the model's own order. Not ``ordering``: heat is an annotation, not a field.
        return ("-heat", *Report._meta.ordering)

    @admin.display(description=_("热度"), ordering="heat")
    def heat(self, obj: Report) -> int:
        return obj.heat

    def get_search_results(self, request, queryset, search_term):
        code = services.tracking_code_normalise(search_term)
        if code:
            return queryset.filter(tracking_code=code), False
        return super().get_search_results(request, queryset, search_term)

    def has_add_permission(self, request) -> bool:
        return False  # reports come from citizens only

    def has_change_permission(self, request, obj=None) -> bool:
        return False  # fields are never edited directly; handling goes through the actions

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # the record of a report is never deleted

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not selectors.is_office_admin(request.user):
            actions.pop("export_csv", None)
        return actions

    @admin.action(description=_("导出所选举报（CSV）"))
    def export_csv(self, request, queryset):
        if not selectors.is_office_admin(request.user):
            raise PermissionDenied
        writer = SafeWriter(_Echo())

        def rows():
            yield "\ufeff" + writer.writerow([str(label) for _name, label in CSV_COLUMNS])
            for report in queryset.select_related("lead_department").order_by("created_at"):
                yield writer.writerow(
                    [
                        report.formatted_tracking_code,
                        timezone.localtime(report.created_at).isoformat(),
                        report.get_category_display(),
                        report.get_platform_display(),
                        report.get_district_display(),
                        report.get_status_display(),
                        report.lead_department.name if report.lead_department else "",
                        timezone.localtime(report.due_at).isoformat() if report.due_at else "",
                        timezone.localtime(report.closed_at).isoformat()
                        if report.closed_at
                        else "",
                        report.get_rating_display(),
                    ]
                )

        response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="reports.csv"'
        return response

    def get_urls(self):
        return [
            path(
                "<int:object_id>/act/",
                self.admin_site.admin_view(self.act_view),
                name="rumors_report_act",
            ),
            path(
                "<int:object_id>/tags/",
                self.admin_site.admin_view(self.tags_view),
                name="rumors_report_tags",
            ),
            path(
                "<int:object_id>/contact/",
                self.admin_site.admin_view(self.contact_view),
                name="rumors_report_contact",
            ),
            *super().get_urls(),
        ]

    def _visible_or_404(self, request, object_id) -> Report:
        report = self.get_queryset(request).filter(pk=object_id).first()
        if report is None:
            raise Http404(_("举报不存在或您无权查看。"))
        return report

    def change_view(self, request, object_id, form_url="", extra_context=None):
        report = self._visible_or_404(request, object_id)
        extra_context = extra_context or {}
        events = ReportEvent.objects.filter(report=report).select_related("actor", "department")
        current_tags = {tag.tag for tag in report.triage_tags.all()}
        extra_context.update(
            {
                # Event texts and actor names may carry copied citizen text: shown neutralised.
                "events": [
                    (
                        event,
                        neutralise_html(event.actor.get_username()) if event.actor else "—",
                        neutralise_html(event.public_text),
                        neutralise_html(event.internal_text),
                    )
                    for event in events
                ],
                "has_spoofing": _report_has_spoofing(report),
                "evidence_items": [
                    (item, _ai_label_fields(item)) for item in report.evidence.all()
                ],
                "co_handlers": report.co_handlers.all(),
                "action_panels": self._action_panels(request, report),
                "triage_tags": [
                    (value, label, value in current_tags) for value, label in TriageTag.choices
                ],
                "tag_labels": [
                    label for value, label in TriageTag.choices if value in current_tags
                ],
                "can_tag": services.action_permitted(
                    user=request.user, report=report, action="note"
                ),
                "notifications": notifications_about(ReportEvent, events.values("pk")),
                "debunk_query": request.GET.get("debunk_q", "")[:100],
                "debunk_results": self._debunk_results(request),
                "can_see_contact": selectors.is_office_admin(request.user),
                "can_see_original": selectors.is_office_admin(request.user),
                "has_contact": bool(report.contact_phone or report.contact_email),
                "duplicates": [
                    (match, _shown(match.report.content, limit=60))
                    for match in selectors.report_duplicate_candidates(report)
                ],
                "resembling_debunks": selectors.debunks_resembling(
                    text=report.content, url=report.url, account=report.account
                ),
            }
        )
        return super().change_view(request, object_id, form_url, extra_context)

    def _action_panels(self, request, report: Report) -> list[tuple]:
        """(action, form, open) for each action this user may take on this report now.

        After a refused action the page shows its form again with what was typed and
        the service's errors (kept in the session across the redirect).
        """
        draft = request.session.pop(ACTION_DRAFT_SESSION_KEY, None)
        if draft and draft.get("report") != report.pk:
            draft = None
        panels = []
        for name in services.actions_allowed(user=request.user, report=report):
            action = services.ACTIONS[name]
            if draft and draft["action"] == name:
                form = ReportActionForm(action, draft["data"])
                form.is_valid()
                for field, messages_ in draft["errors"].items():
                    known = form.errors.get(field if field != "__all__" else None) or []
                    fresh = [message for message in messages_ if message not in known]
                    if fresh:
                        form.add_error(None if field == "__all__" else field, fresh)
                panels.append((action, form, True))
            else:
                initial = {"category": report.category, "district": report.district}
                panels.append((action, ReportActionForm(action, initial=initial), False))
        return panels

    def _debunk_results(self, request) -> list:
        query = request.GET.get("debunk_q", "").strip()[:100]
        if not query:
            return []
        return list(selectors.debunks_search(q=query)[:10])

    def act_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        report = self._visible_or_404(request, object_id)
        change_url = reverse("admin:rumors_report_change", args=[report.pk])
        if request.method != "POST":
            return HttpResponseRedirect(change_url)
        action = services.ACTIONS.get(request.POST.get("action", ""))
        if action is None:
            messages.error(request, _("未知的操作。"))
            return HttpResponseRedirect(change_url)
        form = ReportActionForm(action, request.POST)
        if form.is_valid():
            try:
                services.report_action_take(
                    actor=request.user,
                    report_id=report.pk,
                    action=action.name,
                    values=form.cleaned_data,
                )
            except PermissionDenied as exc:
                messages.error(request, str(exc) or _("您无权执行此操作。"))
                return HttpResponseRedirect(change_url)
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(request, _("已完成：%(action)s") % {"action": action.label})
                return HttpResponseRedirect(change_url)
        # Refused: the page shows this action's form again, with what was typed and the
        # errors on their fields; what concerns the whole action is a message on top.
        field_errors = {
            field: [str(message) for message in errors]
            for field, errors in form.errors.items()
            if field != "__all__"
        }
        request.session[ACTION_DRAFT_SESSION_KEY] = {
            "report": report.pk,
            "action": action.name,
            "data": {
                key: request.POST.get(key) for key in request.POST if key != "csrfmiddlewaretoken"
            },
            "errors": field_errors,
        }
        for message in form.non_field_errors():
            messages.error(request, message)
        if field_errors:
            messages.error(
                request, _("“%(action)s”没有完成，请按提示修改。") % {"action": action.label}
            )
        return HttpResponseRedirect(f"{change_url}#action-{action.name}")

    def tags_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        """Set the report's triage tags to the boxes ticked (the service checks the codes)."""
        report = self._visible_or_404(request, object_id)
        change_url = reverse("admin:rumors_report_change", args=[report.pk])
        if request.method != "POST":
            return HttpResponseRedirect(change_url)
        if not services.action_permitted(user=request.user, report=report, action="note"):
            raise PermissionDenied
        try:
            services.report_tags_set(
                report_id=report.pk, actor=request.user, tags=request.POST.getlist("tags")
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("研判标签已保存。"))
        return HttpResponseRedirect(f"{change_url}#triage-tags")

    def contact_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        report = self._visible_or_404(request, object_id)
        if request.method != "POST":
            return HttpResponseRedirect(reverse("admin:rumors_report_change", args=[report.pk]))
        contact = {
            kind: neutralise_html(value)
            for kind, value in services.report_contact_view(
                report_id=report.pk, actor=request.user
            ).items()
        }
        return TemplateResponse(
            request,
            "admin/rumors/report/contact.html",
            {
                **self.admin_site.each_context(request),
                "report": report,
                "contact": contact,
                "opts": self.model._meta,
                "title": _("举报人联系方式"),
            },
        )


@admin.register(ReportEvent)
class ReportEventAdmin(admin.ModelAdmin):
    list_display = ("created_at", "report", "kind", "actor", "department", "to_status")
    list_filter = ("kind",)
    list_select_related = ("report", "actor", "department")

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .filter(report__in=selectors.reports_visible_to(request.user))
        )

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False  # events are append-only

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
