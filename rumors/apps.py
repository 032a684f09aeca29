from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RumorsConfig(AppConfig):
    name = "rumors"
    verbose_name = _("举报与辟谣")

    def ready(self) -> None:
        from wenzhou_portal.api_tokens import department_scope_register

        from .models import Department

        # A department token's service account joins its department like a handler, so the
        # report desk scopes the token through the membership it already reads.
        department_scope_register(
            choices=lambda: list(
                Department.objects.filter(is_active=True).values_list("pk", "name")
            ),
            join=lambda user, department_id: Department.objects.get(pk=department_id).members.add(
                user
            ),
        )
