"""WeChat Pay API v3's notification scheme, which the simulated gateway also signs with.

A notification is a JSON body whose ``resource`` is AES-256-GCM encrypted with the
merchant's APIv3 key, sent with ``Wechatpay-Timestamp``, ``Wechatpay-Nonce`` and
``Wechatpay-Signature`` headers; the signature is RSA-SHA256 (PKCS#1 v1.5) over
``timestamp\\nnonce\\nbody\\n`` by the platform's key. A WeChat Pay adapter verifies with the
platform certificate; the simulated gateway with its own key.
"""

import base64
import json
import time
from collections.abc import Mapping
from datetime import datetime
from zoneinfo import ZoneInfo

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from .base import NoticeRefused, VerifiedNotice

TIMESTAMP = "Wechatpay-Timestamp"
NONCE = "Wechatpay-Nonce"
SIGNATURE = "Wechatpay-Signature"
SERIAL = "Wechatpay-Serial"
BEIJING = ZoneInfo("Asia/Shanghai")


def _message(timestamp: str, nonce: str, body: bytes) -> bytes:
    return timestamp.encode() + b"\n" + nonce.encode() + b"\n" + body + b"\n"


def sign(private_key: rsa.RSAPrivateKey, *, timestamp: str, nonce: str, body: bytes) -> str:
    signature = private_key.sign(
        _message(timestamp, nonce, body), padding.PKCS1v15(), hashes.SHA256()
    )
    return base64.b64encode(signature).decode()


def encrypt_resource(
    apiv3_key: bytes, plaintext: dict, *, nonce: str, associated_data: str
) -> dict:
    ciphertext = AESGCM(apiv3_key).encrypt(
        nonce.encode(), json.dumps(plaintext).encode(), associated_data.encode()
    )
    return {
        "original_type": "transaction",
        "algorithm": "AEAD_AES_256_GCM",
        "ciphertext": base64.b64encode(ciphertext).decode(),
        "associated_data": associated_data,
        "nonce": nonce,
    }


def _header(headers: Mapping[str, str], name: str) -> str:
    # Django's request.headers is case-insensitive; a plain dict from a test may not be.
    for key, value in headers.items():
        if key.lower() == name.lower():
            return value
    return ""


def verify(
    headers: Mapping[str, str],
    body: bytes,
    *,
    public_key: rsa.RSAPublicKey,
    apiv3_key: bytes,
    mchid: str,
    max_age: int,
    now: float | None = None,
) -> VerifiedNotice:
    """The verified transaction in a notification, or ``NoticeRefused`` saying why not."""
    timestamp, nonce = _header(headers, TIMESTAMP), _header(headers, NONCE)
    signature = _header(headers, SIGNATURE)
    if not (timestamp.isdigit() and nonce and signature):
        raise NoticeRefused("malformed", "missing or malformed Wechatpay-* headers")
    try:
        public_key.verify(
            base64.b64decode(signature, validate=True),
            _message(timestamp, nonce, body),
            padding.PKCS1v15(),
            hashes.SHA256(),
        )
    except (InvalidSignature, ValueError) as exc:
        raise NoticeRefused("bad_signature", "signature does not verify") from exc
    # Checked after the signature, so an attacker cannot learn our clock; a captured
    # notification replayed later is refused even though its signature is genuine.
    if abs((now if now is not None else time.time()) - int(timestamp)) > max_age:
        raise NoticeRefused("stale", f"timestamp {timestamp} is outside {max_age} s")
    try:
        envelope = json.loads(body)
        notice_id = str(envelope["id"])[:64]
        resource = envelope["resource"]
        plaintext = AESGCM(apiv3_key).decrypt(
            resource["nonce"].encode(),
            base64.b64decode(resource["ciphertext"]),
            resource.get("associated_data", "").encode(),
        )
        transaction = json.loads(plaintext)
        reference = str(transaction["out_trade_no"])[:40]
        if transaction.get("mchid") != mchid:
            raise NoticeRefused(
                "malformed", "notification for another merchant", notice_id=notice_id
            )
        amount = transaction["amount"]["total"]
        if not isinstance(amount, int) or isinstance(amount, bool) or amount <= 0:
            raise NoticeRefused("malformed", "amount.total is not a positive integer")
        paid = transaction["trade_state"] == "SUCCESS"
        paid_at = datetime.fromisoformat(transaction["success_time"]) if paid else None
        if paid_at is not None and paid_at.tzinfo is None:
            # WeChat Pay's times carry +08:00; one without an offset is read as Beijing time.
            paid_at = paid_at.replace(tzinfo=BEIJING)
        return VerifiedNotice(
            notice_id=notice_id,
            reference=reference,
            transaction_id=str(transaction.get("transaction_id", ""))[:64],
            amount_fen=amount,
            paid=paid,
            paid_at=paid_at,
        )
    except NoticeRefused:
        raise
    # AttributeError: a field of the wrong JSON type (a number where text belongs).
    except (ValueError, KeyError, TypeError, AttributeError, InvalidTag) as exc:
        raise NoticeRefused(
            "malformed", f"cannot read the notification: {type(exc).__name__}"
        ) from exc
