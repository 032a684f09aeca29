"""The shape every payment provider adapter has (create, notify, query, close, refund)."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True)
class Order:
    """What we ask the provider to collect: one donation, on the organisation's account."""

    reference: str
    amount_fen: int
    description: str
    return_url: str
    expires_at: datetime


@dataclass(frozen=True)
class VerifiedNotice:
    """A notification whose signature, age and format were verified."""

    notice_id: str
    reference: str
    transaction_id: str
    amount_fen: int
    paid: bool
    paid_at: datetime | None


@dataclass(frozen=True)
class OrderStatus:
    """What the provider's query answers about an order."""

    state: str  # SUCCESS, NOTPAY, CLOSED, REFUND (WeChat Pay's trade states)
    amount_fen: int
    transaction_id: str = ""
    paid_at: datetime | None = None

    @property
    def paid(self) -> bool:
        return self.state in ("SUCCESS", "REFUND")


class NoticeRefused(Exception):
    """A notification we do not act on; ``outcome`` is a ``NoticeOutcome`` value."""

    def __init__(self, outcome: str, detail: str, *, notice_id: str = "", reference: str = ""):
        super().__init__(detail)
        self.outcome = outcome
        self.detail = detail
        self.notice_id = notice_id
        self.reference = reference


class ProviderUnavailable(Exception):
    """This deployment has no adapter for the provider a project names."""


class PaymentProvider(Protocol):
    code: str

    def create_order(self, order: Order) -> str:
        """Open the order; return the address to send the donor to."""

    def verify_notice(self, headers: Mapping[str, str], body: bytes) -> VerifiedNotice:
        """Check signature, age and shape; raise ``NoticeRefused`` otherwise."""

    def query(self, reference: str) -> OrderStatus:
        """Ask the provider where an order stands."""

    def close(self, reference: str) -> None:
        """Close an unpaid order so it can no longer be paid."""

    def refund(self, reference: str, *, amount_fen: int, refund_id: str) -> None:
        """Refund a paid order in full to where it came from."""
