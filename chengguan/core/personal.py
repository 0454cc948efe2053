"""Personal data at rest and on screen: reporters' phone numbers.

- Encrypted with AES-256-GCM (a fresh nonce per value, the key from the environment:
  `CHENGGUAN_PERSONAL_DATA_KEY`), so a copy of the database reveals no phone number.
- Found again through a blind index: an HMAC of the normalised number under a second key
  derived from the same secret, so "has this number reported before?" needs no decryption
  and the index alone cannot be reversed without the key.
- Shown masked (138****1234) to everyone; the full number only through an explicit,
  ledgered unmask by someone allowed to call the reporter back.

Ciphertexts carry a version prefix ("v1:") so the key can be rotated later.
"""

import base64
import hashlib
import hmac
import os
import re
from functools import cache

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

from chengguan.core.errors import DomainError, gettext_noop

VERSION = "v1"
MOBILE = re.compile(r"^1[3-9]\d{9}$")
LANDLINE = re.compile(r"^0\d{9,11}$")  # area code 0xx/0xxx + 7–8 digits
SERVICE = re.compile(r"^(?:1\d{4}|400\d{7}|800\d{7})$")  # 12345, 400/800 numbers


@cache
def _keys(secret: str) -> tuple[bytes, bytes]:
    master = base64.b64decode(secret)
    if len(master) < 32:
        raise ValueError("CHENGGUAN_PERSONAL_DATA_KEY must be base64 of at least 32 bytes")
    derive = lambda label: hmac.new(master, label, hashlib.sha256).digest()  # noqa: E731
    return derive(b"phone-encryption"), derive(b"phone-blind-index")


def _secret() -> str:
    return settings.CHENGGUAN["PERSONAL_DATA_KEY"]


def phone_normalise(text: str) -> str:
    """Digits only, without +86 or a leading 0086; a DomainError for anything that is not
    a Chinese mobile, landline or service number."""
    digits = re.sub(r"[\s\-()（）]", "", text or "")
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("0086"):
        digits = digits[4:]
    if not (MOBILE.match(digits) or LANDLINE.match(digits) or SERVICE.match(digits)):
        raise DomainError(gettext_noop("电话号码格式不正确：%(phone)s"), phone=text)
    return digits


def personal_encrypt(text: str) -> str:
    """A personal value (a phone or ID number) sealed for storage."""
    key, _ = _keys(_secret())
    nonce = os.urandom(12)
    sealed = AESGCM(key).encrypt(nonce, text.encode(), VERSION.encode())
    return f"{VERSION}:" + base64.b64encode(nonce + sealed).decode()


def personal_decrypt(token: str) -> str:
    version, _, payload = token.partition(":")
    if version != VERSION:
        raise ValueError(f"unknown personal-data cipher version {version!r}")
    key, _ = _keys(_secret())
    raw = base64.b64decode(payload)
    return AESGCM(key).decrypt(raw[:12], raw[12:], VERSION.encode()).decode()


def personal_index(text: str) -> str:
    """The blind index of an already normalised value: equal values, equal index."""
    _, key = _keys(_secret())
    return hmac.new(key, text.encode(), hashlib.sha256).hexdigest()


# The phone names used by reporters' records.
phone_encrypt, phone_decrypt, phone_index = personal_encrypt, personal_decrypt, personal_index


def phone_mask(phone: str) -> str:
    """138****1234; shorter numbers keep their first and last two digits."""
    if len(phone) >= 11:
        return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]
    if len(phone) > 4:
        return phone[:2] + "*" * (len(phone) - 4) + phone[-2:]
    return "*" * len(phone)


# Numbers someone typed into free text (a remark, a handler's feedback) are masked before
# the text leaves the city: mobiles (138****0000) and resident ID numbers (410102********1234).
MOBILE_IN_TEXT = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
ID_NUMBER_IN_TEXT = re.compile(r"(?<!\d)\d{17}[\dXx](?![\dXx])")


def text_mask(text: str) -> str:
    """Free text with any mobile or ID number in it masked."""
    text = MOBILE_IN_TEXT.sub(lambda m: phone_mask(m.group()), text)
    return ID_NUMBER_IN_TEXT.sub(lambda m: f"{m.group()[:6]}{'*' * 8}{m.group()[-4:]}", text)


def name_mask(name: str) -> str:
    """张** : the family name only."""
    name = (name or "").strip()
    return name[:1] + "*" * (len(name) - 1) if name else ""
