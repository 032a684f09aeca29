"""Money on charity pages: amounts are integer fen, shown in yuan in one place."""

from django import template
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

register = template.Library()


@register.filter
def yuan(fen: int | None) -> str:
    """12345678 → "123,456.78 元"; whole yuan without the ".00"."""
    if fen is None:
        return "—"
    whole, cents = divmod(int(fen), 100)
    amount = f"{whole:,}" if cents == 0 else f"{whole:,}.{cents:02d}"
    return gettext("%(amount)s 元") % {"amount": amount}


@register.filter
def obligation_label(kind) -> str:
    """What a disclosure obligation asks for ("定期信息公开", "年度报告"…)."""
    from charity.services import OBLIGATION_LABELS

    return str(OBLIGATION_LABELS.get(str(kind), kind))


OUTCOME_LABELS = {
    "on_time": _("按时公开"),
    "late": _("逾期后公开"),
    "overdue": _("已逾期，未公开"),
    "upcoming": _("未到期"),
}


@register.filter
def outcome_label(state) -> str:
    return str(OUTCOME_LABELS.get(str(state), state))
