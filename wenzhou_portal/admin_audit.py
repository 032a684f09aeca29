"""Admin changes are audited: a ModelAdmin mixin that writes one AuditEvent per staff write.

Workflows (publishing, moderating, handling a report) go through services, which write
their own audit event; plain edits of reference data in admin (a routing rule, a holiday,
a population figure) are recorded by this mixin, so every staff write leaves one record.
"""

from django.contrib import admin

from .audit import audit_record


def _label(obj) -> str:
    return f"{obj._meta.label_lower}:{obj.pk} {obj}"[:200]


class AuditedModelAdmin(admin.ModelAdmin):
    """save_model / delete_model / delete_queryset each write one audit event."""

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        verb = "changed" if change else "added"
        audit_record(
            action=f"{obj._meta.app_label}.{obj._meta.model_name}_{verb}",
            actor=request.user,
            target=_label(obj),
            request=request,
            detail={"fields": sorted(form.changed_data)} if change else {},
        )

    def delete_model(self, request, obj) -> None:
        target = _label(obj)
        super().delete_model(request, obj)
        audit_record(
            action=f"{obj._meta.app_label}.{obj._meta.model_name}_deleted",
            actor=request.user,
            target=target,
            request=request,
        )

    def delete_queryset(self, request, queryset) -> None:
        targets = [_label(obj) for obj in queryset]
        meta = queryset.model._meta
        super().delete_queryset(request, queryset)
        for target in targets:
            audit_record(
                action=f"{meta.app_label}.{meta.model_name}_deleted",
                actor=request.user,
                target=target,
                request=request,
            )
