"""Charity's background work: close unpaid orders, prove the ledger, deliver test payments."""

from celery import shared_task

from . import services
from .payments import simulated


@shared_task
def donations_expire() -> int:
    """Close unpaid orders, and finish any refund a failure left half done."""
    return services.donations_expire() + services.donation_refunds_finish()


@shared_task
def ledger_prove() -> int:
    return len(services.ledger_prove().problems)


@shared_task
def simulated_gateway_notify(reference: str) -> str:
    """The development gateway tells us about a payment, as WeChat Pay's servers would."""
    headers, body = simulated.SimulatedGateway().notice(reference)
    return services.donation_notice_receive(
        provider_code=simulated.SimulatedGateway.code, headers=headers, body=body
    )
