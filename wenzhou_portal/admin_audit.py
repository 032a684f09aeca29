"""Admin changes are audited: a ModelAdmin mixin that writes one AuditEvent per staff write.

Workflows (publishing, moderating, handling a report) go through services, which write
their own audit event; plain edits of reference data in admin (a routing rule, a holiday,
a population figure) are recorded by this mixin, so every staff write leaves one record.
"""

from django.contrib import admin
from django.template.response import TemplateResponse

from .audit import audit_record, audit_target


class AuditedInlinesMixin:
    """Rows added, changed or deleted through an inline are staff writes: one event each."""

    def save_formset(self, request, form, formset, change) -> None:
        doomed = [
            audit_target(deleted.instance)
            for deleted in formset.deleted_forms
            if deleted.instance.pk
        ]
        super().save_formset(request, form, formset, change)
        meta = formset.model._meta
        prefix = f"{meta.app_label}.{meta.model_name}"
        for obj in formset.new_objects:
            audit_record(
                action=f"{prefix}_added",
                actor=request.user,
                target=audit_target(obj),
                request=request,
            )
        for obj, fields in formset.changed_objects:
            audit_record(
                action=f"{prefix}_changed",
                actor=request.user,
                target=audit_target(obj),
                request=request,
                detail={"fields": sorted(fields)},
            )
        for target in doomed:
            audit_record(
                action=f"{prefix}_deleted", actor=request.user, target=target, request=request
            )


class AuditedModelAdmin(AuditedInlinesMixin, admin.ModelAdmin):
    """save_model / delete_model / delete_queryset and each inline row write one audit event."""

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        verb = "changed" if change else "added"
        audit_record(
            action=f"{obj._meta.app_label}.{obj._meta.model_name}_{verb}",
            actor=request.user,
            target=audit_target(obj),
            request=request,
            detail={"fields": sorted(form.changed_data)} if change else {},
        )

    def delete_model(self, request, obj) -> None:
        target = audit_target(obj)
        super().delete_model(request, obj)
        audit_record(
            action=f"{obj._meta.app_label}.{obj._meta.model_name}_deleted",
            actor=request.user,
            target=target,
            request=request,
        )

    def delete_queryset(self, request, queryset) -> None:
        targets = [audit_target(obj) for obj in queryset]
        meta = queryset.model._meta
        super().delete_queryset(request, queryset)
        for target in targets:
            audit_record(
                action=f"{meta.app_label}.{meta.model_name}_deleted",
                actor=request.user,
                target=target,
                request=request,
            )


class SecretShownOnceMixin:
    """After an add, answer with a page that shows the new secret once (``obj.shown_secret``).

    The secret is never put in a message (the message storage may be a cookie) nor on the
    change page, and the page is not cached. Set ``created_page_template``,
    ``created_page_title`` and ``created_page_object_name`` (the object's name in the template).
    """

    created_page_template = ""
    created_page_title = ""
    created_page_object_name = "object"

    def response_add(self, request, obj, post_url_continue=None):
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": str(self.created_page_title),
            self.created_page_object_name: obj,
            "secret": obj.shown_secret,
        }
        response = TemplateResponse(request, self.created_page_template, context)
        response["Cache-Control"] = "no-store"
        return response
