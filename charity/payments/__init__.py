"""Payment providers for an organisation's own channel, behind one interface.

The portal never holds money: the organisation's provider takes it on the organisation's
own merchant account, and tells us in a signed asynchronous notification. A provider
adapter (WeChat Pay v3, Alipay) implements ``PaymentProvider``; ``simulated`` is the
development gateway, whose notifications are signed exactly as WeChat Pay v3 signs its
own (``wechat_v3``), so the verifying code path is the one a real adapter uses.
"""

from django.conf import settings
from django.utils.module_loading import import_string

from .base import (
    NoticeRefused,
    Order,
    OrderStatus,
    PaymentProvider,
    ProviderUnavailable,
    VerifiedNotice,
)

# Adapters by the code a project names; settings.CHARITY_PAYMENT_PROVIDERS says which of
# them this deployment may use.
ADAPTERS = {"simulated": "charity.payments.simulated.SimulatedGateway"}


def provider_available(code: str) -> bool:
    return code in ADAPTERS and code in settings.CHARITY_PAYMENT_PROVIDERS


def provider_for(code: str) -> PaymentProvider:
    """The adapter for ``code``; ``ProviderUnavailable`` if this deployment has none."""
    if not provider_available(code):
        raise ProviderUnavailable(code)
    return import_string(ADAPTERS[code])()


__all__ = [
    "ADAPTERS",
    "NoticeRefused",
    "Order",
    "OrderStatus",
    "PaymentProvider",
    "ProviderUnavailable",
    "VerifiedNotice",
    "provider_available",
    "provider_for",
]
