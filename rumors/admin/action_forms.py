"""Each report action's admin form, built from its entry in the action table.

The forms only shape input (types, lengths); whether a value is required or acceptable is
the service's rule, and its field errors are shown on the form.
"""

from django import forms
from django.core.exceptions import ValidationError

from .. import services
from ..models import Department

_TEXTAREA = forms.Textarea(attrs={"rows": 3, "cols": 60})


def _form_field(spec: services.ActionField) -> forms.Field:
    common = {"label": spec.label, "required": False}
    kind = spec.kind
    if kind == services.FieldKind.LONG_TEXT:
        return forms.CharField(max_length=spec.max_length, widget=_TEXTAREA, **common)
    if kind in (services.FieldKind.TEXT, services.FieldKind.TRACKING_CODE):
        return forms.CharField(max_length=spec.max_length, **common)
    if kind == services.FieldKind.CHOICE:
        return forms.ChoiceField(choices=[("", "---------"), *spec.choices()], **common)
    if kind == services.FieldKind.INTEGER:
        return forms.IntegerField(min_value=spec.min_value, max_value=spec.max_value, **common)
    if kind == services.FieldKind.DEPARTMENT:
        return forms.TypedChoiceField(
            coerce=int,
            choices=[
                ("", "---------"),
                *Department.objects.filter(is_active=True).values_list("pk", "name"),
            ],
            **common,
        )
    if kind == services.FieldKind.DEBUNK:
        # Chosen from a search of published debunks (see the report page), so a number.
        return forms.IntegerField(widget=forms.HiddenInput, **common)
    raise ValueError(f"no admin field for {kind}")


class ReportActionForm(forms.Form):
    """The fields of one action, prefixed by its name (several live on one page)."""

    def __init__(self, action: services.ReportAction, *args, **kwargs) -> None:
        kwargs.setdefault("prefix", action.name)
        super().__init__(*args, **kwargs)
        self.action = action
        for spec in action.fields:
            self.fields[spec.name] = _form_field(spec)
            if spec.public:
                self.fields[spec.name].help_text = services.PUBLIC_FIELD_HINT

    def add_service_errors(self, error: ValidationError) -> None:
        """Show a service's refusal: on its field when it names one, else on the form."""
        if hasattr(error, "error_dict"):
            for name, errors in error.message_dict.items():
                self.add_error(name if name in self.fields else None, errors)
        else:
            self.add_error(None, error.messages)
