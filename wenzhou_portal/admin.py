# django-otp's admin modules register admins that show secrets; imported first so that
# the read-only replacements below can unregister them.
import django_otp.plugins.otp_static.admin
import django_otp.plugins.otp_totp.admin  # noqa: F401
from django import forms
from django.contrib import admin
from django.contrib.admin import helpers
from django.contrib.auth.admin import UserAdmin
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from .accounts import (
    ACCESS_FLAGS,
    otp_device_remove,
    roles_assignable_by,
    user_manageable_by,
    user_roles_set,
    user_unlock,
    users_manageable_by,
)
from .admin_audit import SecretShownOnceMixin
from .api_tokens import MAX_VALIDITY_DAYS, api_token_create, api_token_revoke, department_choices
from .models import ApiToken, AuditEvent, Notification, User
from .text import neutralise, neutralise_html

# Fields only a superuser may see on a form: an office admin never grants them.
SUPERUSER_ONLY_FIELDS = frozenset({"is_superuser", "user_permissions"})


def _manages_users(request) -> bool:
    return request.user.has_perm("wenzhou_portal.change_user")


@admin.register(User)
class PortalUserAdmin(UserAdmin):
    """Accounts: an office admin manages staff below office admin and grants only their roles.

    The form is narrowed per request user and the change itself goes through
    ``user_roles_set``, which refuses (and audits) whatever the actor may not do.
    """

    fieldsets = (
        *UserAdmin.fieldsets,
        (_("市民网络观察团"), {"fields": ("is_citizen_observer",)}),
    )
    list_display = (
        "display_username",
        "display_name",
        "display_email",
        "is_staff",
        "is_citizen_observer",
        "is_active",
    )
    list_display_links = ("display_username",)
    list_filter = ("is_staff", "is_citizen_observer", "is_active", "groups")
    actions = ("unlock",)

    def get_queryset(self, request):
        users = super().get_queryset(request)
        # The auditor reads every account; an office admin sees only those it may manage.
        if request.user.is_superuser or not _manages_users(request):
            return users
        return users.filter(pk__in=users_manageable_by(request.user).values("pk"))

    def has_change_permission(self, request, obj=None) -> bool:
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or user_manageable_by(request.user, obj))

    def has_delete_permission(self, request, obj=None) -> bool:
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or user_manageable_by(request.user, obj))

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or request.user.is_superuser or not _manages_users(request):
            return fieldsets
        return tuple(
            (
                name,
                {
                    **options,
                    "fields": [f for f in options["fields"] if f not in SUPERUSER_ONLY_FIELDS],
                },
            )
            for name, options in fieldsets
        )

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "groups":
            kwargs["queryset"] = roles_assignable_by(request.user)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change) -> None:
        if not change:
            super().save_model(request, obj, form, change)
            return
        # Roles and access flags are applied (and audited) by the service; the form saves
        # the rest. Taking the groups out of cleaned_data keeps save_m2m off them.
        flags = {
            name: form.cleaned_data[name] for name in ACCESS_FLAGS if name in form.cleaned_data
        }
        groups = form.cleaned_data.pop("groups", None)
        saved_flags = type(obj)._default_manager.filter(pk=obj.pk).values(*ACCESS_FLAGS).get()
        for name, value in saved_flags.items():
            setattr(obj, name, value)
        super().save_model(request, obj, form, change)
        user_roles_set(
            actor=request.user,
            user=obj,
            roles=None if groups is None else [group.name for group in groups],
            request=request,
            **flags,
        )

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context["subtitle"] = neutralise(str(obj))
            context["original_display"] = neutralise(str(obj))
        return super().render_change_form(request, context, add, change, form_url, obj)

    @admin.action(description=_("解除锁定"), permissions=["change"])
    def unlock(self, request, queryset) -> None:
        users = list(queryset)
        for user in users:
            user_unlock(actor=request.user, user=user, request=request)
        self.message_user(
            request,
            ngettext(
                "已为 %(count)d 个账号解除登录锁定。",
                "已为 %(count)d 个账号解除登录锁定。",
                len(users),
            )
            % {"count": len(users)},
        )

    def action_checkbox(self, user):
        # As Django's, with the account name in the label neutralised.
        attrs = {
            "class": "action-select",
            "aria-label": format_html(
                gettext("Select this object for an action - {}"), neutralise(str(user))
            ),
        }
        checkbox = forms.CheckboxInput(attrs, lambda value: False)
        return checkbox.render(helpers.ACTION_CHECKBOX_NAME, str(user.pk))

    @admin.display(description=User._meta.get_field("username").verbose_name, ordering="username")
    def display_username(self, user):
        return neutralise_html(user.username)

    @admin.display(description=_("姓名"), ordering="last_name")
    def display_name(self, user):
        return neutralise_html(user.get_full_name())

    @admin.display(description=User._meta.get_field("email").verbose_name, ordering="email")
    def display_email(self, user):
        return neutralise_html(user.email)


class ActorFilter(admin.RelatedOnlyFieldListFilter):
    """Filter by the staff member who acted, their name shown neutralised."""

    def field_choices(self, field, request, model_admin):
        return [
            (pk, neutralise(str(label)))
            for pk, label in super().field_choices(field, request, model_admin)
        ]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = (
        "occurred_at",
        "app",
        "action",
        "display_actor",
        "display_target",
        "ip_address",
    )
    list_filter = ("app", ("actor", ActorFilter), "action")
    search_fields = ("target", "actor__username")
    date_hierarchy = "occurred_at"
    list_select_related = ("actor",)
    fields = (
        "occurred_at",
        "app",
        "action",
        "display_actor",
        "display_target",
        "ip_address",
        "detail",
    )
    readonly_fields = fields

    # Audit events are append-only: nobody edits or deletes them, not even a superuser.
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description=AuditEvent._meta.get_field("actor").verbose_name)
    def display_actor(self, event):
        return neutralise_html(event.actor.get_username()) if event.actor else "—"

    @admin.display(description=AuditEvent._meta.get_field("target").verbose_name)
    def display_target(self, event):
        return neutralise_html(event.target)


# --- Second factors: that a device exists, never its secret ----------------------------

# django-otp's own admins show keys, QR codes and backup codes; they are imported at the
# top (this module is discovered before theirs) so that they can be replaced here.
for _device_model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(_device_model):
        admin.site.unregister(_device_model)


class SecondFactorDeviceAdmin(admin.ModelAdmin):
    """A read-only list of devices; an office admin removes one, the owner enrols anew.

    No key, QR code or backup code is shown or editable here: those are shown once, to
    their owner, at /staff/2fa/.
    """

    list_display = ("display_user", "name", "confirmed", "created_at", "last_used_at")
    list_filter = ("confirmed",)
    search_fields = ("user__username",)
    list_select_related = ("user",)
    fields = ("display_user", "name", "confirmed", "created_at", "last_used_at")
    readonly_fields = fields
    actions = None  # one device at a time, each removal through the audited service

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or user_manageable_by(request.user, obj.user))

    def delete_model(self, request, obj) -> None:
        otp_device_remove(actor=request.user, device=obj, request=request)

    def delete_queryset(self, request, queryset) -> None:
        for device in queryset.select_related("user"):
            otp_device_remove(actor=request.user, device=device, request=request)

    @admin.display(description=_("账号"), ordering="user__username")
    def display_user(self, device):
        return neutralise_html(device.user.get_username())


@admin.register(TOTPDevice)
class TOTPDeviceAdmin(SecondFactorDeviceAdmin):
    pass


@admin.register(StaticDevice)
class StaticDeviceAdmin(SecondFactorDeviceAdmin):
    pass


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """Who was told what, through which channel and when; the address is never stored."""

    list_display = ("created_at", "channel", "recipient_label", "subject", "state", "sent_at")
    list_filter = ("channel", "state", "recipient_type")
    search_fields = ("recipient_label", "subject")
    date_hierarchy = "created_at"
    fields = (
        "created_at",
        "channel",
        "recipient_label",
        "subject",
        "body",
        "state",
        "attempts",
        "sent_at",
        "last_error",
    )
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


# --- API tokens: created and revoked by the office, the secret shown once ----------------


class ApiTokenAddForm(forms.ModelForm):
    """What a new token needs; the key, hash, account and dates are the service's."""

    department = forms.TypedChoiceField(label=_("处置部门"), coerce=int, required=False)
    valid_days = forms.IntegerField(
        label=_("有效天数"),
        min_value=1,
        max_value=MAX_VALIDITY_DAYS,
        initial=90,
        help_text=_("令牌到期后自动失效，最长 365 天。"),
    )

    class Meta:
        model = ApiToken
        fields = ("name", "kind")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = [("", "---------"), *department_choices()]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("kind") == ApiToken.Kind.DEPARTMENT and not cleaned.get("department"):
            self.add_error("department", _("处置部门令牌须选择所代表的部门。"))
        return cleaned


@admin.register(ApiToken)
class ApiTokenAdmin(SecretShownOnceMixin, admin.ModelAdmin):
    """Tokens for departments' and platforms' systems; never edited, revoked with an action."""

    list_display = (
        "name",
        "kind",
        "display_department",
        "key",
        "expires_at",
        "display_state",
        "last_used_at",
    )
    list_filter = ("kind", ("revoked_at", admin.EmptyFieldListFilter))
    search_fields = ("name", "key")
    fields = (
        "name",
        "kind",
        "display_department",
        "key",
        "created_at",
        "created_by",
        "expires_at",
        "revoked_at",
        "revoked_by",
        "last_used_at",
    )
    readonly_fields = fields
    list_select_related = ("created_by", "revoked_by")
    actions = ("revoke",)

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = ApiTokenAddForm
            kwargs["fields"] = ("name", "kind", "department", "valid_days")
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        return ("name", "kind", "department", "valid_days") if obj is None else self.fields

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else self.readonly_fields

    def has_delete_permission(self, request, obj=None) -> bool:
        # A token's row is its history (who made it, when it was revoked): never deleted.
        return False

    def save_model(self, request, obj, form, change) -> None:
        if change:
            return  # nothing on a token is edited; it is revoked with the action
        token, secret = api_token_create(
            actor=request.user,
            name=form.cleaned_data["name"],
            kind=form.cleaned_data["kind"],
            department_id=form.cleaned_data.get("department"),
            valid_days=form.cleaned_data["valid_days"],
            request=request,
        )
        for field in ApiToken._meta.concrete_fields:
            setattr(obj, field.attname, getattr(token, field.attname))
        obj._state.adding = False
        obj._state.db = token._state.db
        obj.shown_secret = secret

    created_page_template = "admin/wenzhou_portal/apitoken/created.html"
    created_page_title = _("API 令牌已创建")
    created_page_object_name = "token"

    @admin.action(description=_("撤销所选令牌"), permissions=["change"])
    def revoke(self, request, queryset) -> None:
        revoked = sum(
            api_token_revoke(actor=request.user, token=token, request=request)
            for token in queryset.filter(revoked_at__isnull=True)
        )
        self.message_user(
            request,
            ngettext("已撤销 %(count)d 个令牌。", "已撤销 %(count)d 个令牌。", revoked)
            % {"count": revoked},
        )

    @admin.display(description=_("处置部门"))
    def display_department(self, token):
        if token.department_id is None:
            return "—"
        return dict(department_choices()).get(token.department_id, token.department_id)

    @admin.display(description=_("状态"))
    def display_state(self, token):
        if token.revoked_at:
            return gettext("已撤销")
        return gettext("已过期") if token.expires_at <= timezone.now() else gettext("有效")
