"""Reporters' phone numbers: normalised, encrypted, indexed blind, masked."""

import pytest

from chengguan.core.errors import DomainError
from chengguan.core.personal import (
    name_mask,
    phone_decrypt,
    phone_encrypt,
    phone_index,
    phone_mask,
    phone_normalise,
    text_mask,
)


@pytest.mark.parametrize(
    ("text", "digits"),
    [
        ("13812341234", "13812341234"),
        ("+86 138-1234-1234", "13812341234"),
        ("0086 13812341234", "13812341234"),
        ("0371-6718 8888", "037167188888"),
        ("12345", "12345"),
    ],
)
def test_numbers_are_read_as_people_write_them(text, digits):
    assert phone_normalise(text) == digits


@pytest.mark.parametrize("text", ["", "1381234123", "23812341234", "phone", "138123412345"])
def test_malformed_numbers_are_refused_naming_the_input(text):
    with pytest.raises(DomainError) as caught:
        phone_normalise(text)
    assert caught.value.params["phone"] == text


def test_encryption_round_trips_and_never_repeats_a_ciphertext():
    first, second = phone_encrypt("13812341234"), phone_encrypt("13812341234")
    assert first != second  # a fresh nonce each time: equal numbers are not linkable
    assert "13812341234" not in first and first.startswith("v1:")
    assert phone_decrypt(first) == phone_decrypt(second) == "13812341234"


def test_a_tampered_ciphertext_is_refused():
    from cryptography.exceptions import InvalidTag

    token = phone_encrypt("13812341234")
    head, body = token[:-6], token[-6:]
    forged = head + ("A" if body[0] != "A" else "B") + body[1:]
    with pytest.raises((InvalidTag, ValueError)):
        phone_decrypt(forged)


def test_the_blind_index_finds_the_same_number_and_depends_on_the_key(settings):
    index = phone_index("13812341234")
    assert index == phone_index("13812341234") != phone_index("13812341235")
    assert "13812341234" not in index
    settings.CHENGGUAN = {**settings.CHENGGUAN, "PERSONAL_DATA_KEY": "A" * 44}
    assert phone_index("13812341234") != index


def test_masks_show_only_what_identifies_nobody():
    assert phone_mask("13812341234") == "138****1234"
    assert phone_mask("037167188888") == "037*****8888"
    assert phone_mask("12345") == "12*45"
    assert name_mask("张三丰") == "张**"
    assert name_mask("") == ""


def test_numbers_typed_into_free_text_are_masked():
    text = "联系13812341234，身份证410102199001011234，门牌12号"
    assert text_mask(text) == "联系138****1234，身份证410102********1234，门牌12号"
