"""The development payment provider: a simulated gateway page on our own site.

It keeps its own books (``SimulatedGatewayOrder``) as a provider would, and its
notifications are built and signed exactly as WeChat Pay v3 builds and signs its own, so
``donation_notice_receive`` verifies them on the same code path a real adapter uses. It
stands in for the provider only: nothing here is trusted by the donation services except
through ``verify_notice``.
"""

import hashlib
import hmac
import json
import secrets
import time
from collections.abc import Mapping

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from ..models import SimulatedGatewayKey, SimulatedGatewayOrder
from . import wechat_v3
from .base import Order, OrderStatus, VerifiedNotice

_keys: dict[str, rsa.RSAPrivateKey] = {}


class SimulatedGateway:
    code = "simulated"
    # The merchant number the simulated gateway knows the organisation by.
    MCHID = "1900000001"

    # --- the provider's interface ---------------------------------------------------------

    def create_order(self, order: Order) -> str:
        SimulatedGatewayOrder.objects.create(
            reference=order.reference,
            amount_fen=order.amount_fen,
            description=order.description[:120],
            return_url=order.return_url[:300],
        )
        return reverse("charity:gateway", args=[order.reference])

    def verify_notice(self, headers: Mapping[str, str], body: bytes) -> VerifiedNotice:
        return wechat_v3.verify(
            headers,
            body,
            public_key=self.signing_key().public_key(),
            apiv3_key=self.apiv3_key(),
            mchid=self.MCHID,
            max_age=settings.CHARITY_NOTICE_MAX_AGE,
        )

    def query(self, reference: str) -> OrderStatus:
        order = SimulatedGatewayOrder.objects.filter(reference=reference).first()
        if order is None:
            return OrderStatus(state="CLOSED", amount_fen=0)
        return OrderStatus(
            state=order.state,
            amount_fen=order.amount_fen,
            transaction_id=order.transaction_id,
            paid_at=order.paid_at,
        )

    def close(self, reference: str) -> None:
        SimulatedGatewayOrder.objects.filter(reference=reference, state="NOTPAY").update(
            state="CLOSED"
        )

    def refund(self, reference: str, *, amount_fen: int, refund_id: str) -> None:
        changed = SimulatedGatewayOrder.objects.filter(
            reference=reference, state="SUCCESS", amount_fen=amount_fen
        ).update(state="REFUND", refund_id=refund_id)
        if (
            not changed
            and not SimulatedGatewayOrder.objects.filter(
                reference=reference, state="REFUND", refund_id=refund_id
            ).exists()
        ):
            raise RuntimeError(f"simulated gateway cannot refund {reference}")

    # --- what the donor does at the provider ------------------------------------------------

    def order(self, reference: str) -> SimulatedGatewayOrder | None:
        return SimulatedGatewayOrder.objects.filter(reference=reference).first()

    def pay(self, reference: str) -> bool:
        """The donor pays at the gateway; False if the order is no longer payable."""
        return bool(
            SimulatedGatewayOrder.objects.filter(reference=reference, state="NOTPAY").update(
                state="SUCCESS",
                transaction_id="42" + secrets.token_hex(14),
                paid_at=timezone.now(),
            )
        )

    def notice(
        self, reference: str, *, amount_fen: int | None = None, timestamp: int | None = None
    ) -> tuple[dict[str, str], bytes]:
        """The signed notification the gateway sends about an order (as WeChat Pay would).

        ``amount_fen`` and ``timestamp`` let a test forge what a tampered or replayed
        notification would say, still signed with the gateway's genuine key.
        """
        order = SimulatedGatewayOrder.objects.get(reference=reference)
        paid = order.state in ("SUCCESS", "REFUND")
        transaction_fields = {
            "mchid": self.MCHID,
            "appid": "wxd0000000000simulated",
            "out_trade_no": order.reference,
            "transaction_id": order.transaction_id,
            "trade_type": "NATIVE",
            "trade_state": "SUCCESS" if paid else order.state,
            "success_time": order.paid_at.isoformat() if paid and order.paid_at else "",
            "amount": {
                "total": order.amount_fen if amount_fen is None else amount_fen,
                "currency": "CNY",
            },
        }
        nonce = secrets.token_hex(6)
        body = json.dumps(
            {
                "id": "EV-" + secrets.token_hex(12),
                "create_time": timezone.localtime().isoformat(timespec="seconds"),
                "resource_type": "encrypt-resource",
                "event_type": "TRANSACTION.SUCCESS" if paid else "TRANSACTION.CLOSED",
                "summary": "支付成功" if paid else "订单未支付",
                "resource": wechat_v3.encrypt_resource(
                    self.apiv3_key(), transaction_fields, nonce=nonce, associated_data="transaction"
                ),
            },
            ensure_ascii=False,
        ).encode()
        stamp = str(int(time.time()) if timestamp is None else timestamp)
        header_nonce = secrets.token_hex(16)
        headers = {
            wechat_v3.TIMESTAMP: stamp,
            wechat_v3.NONCE: header_nonce,
            wechat_v3.SERIAL: "SIMULATED",
            wechat_v3.SIGNATURE: wechat_v3.sign(
                self.signing_key(), timestamp=stamp, nonce=header_nonce, body=body
            ),
        }
        return headers, body

    # --- keys ---------------------------------------------------------------------------------

    def apiv3_key(self) -> bytes:
        # The merchant's APIv3 key; derived, so every node and worker agree without storage.
        return hmac.new(
            settings.SECRET_KEY.encode(), b"charity-simulated-apiv3", hashlib.sha256
        ).digest()

    def signing_key(self) -> rsa.RSAPrivateKey:
        """The gateway's RSA key, made once per database and shared by every process."""
        row = SimulatedGatewayKey.objects.filter(name="default").first()
        if row is None:
            pem = (
                rsa.generate_private_key(public_exponent=65537, key_size=2048)
                .private_bytes(
                    serialization.Encoding.PEM,
                    serialization.PrivateFormat.PKCS8,
                    serialization.NoEncryption(),
                )
                .decode()
            )
            try:
                with transaction.atomic():
                    row = SimulatedGatewayKey.objects.create(name="default", private_key_pem=pem)
            except IntegrityError:
                row = SimulatedGatewayKey.objects.get(name="default")
        key = _keys.get(row.private_key_pem)
        if key is None:
            key = serialization.load_pem_private_key(row.private_key_pem.encode(), password=None)
            _keys.clear()
            _keys[row.private_key_pem] = key
        return key
