"""统一社会信用代码 validation against real, publicly published codes."""
import pytest

from app.registry.credit_code import (ALPHABET, CreditCodeError, check_char, is_valid,
                                      normalize, validate)

# Real codes as published on the national enterprise credit information system
# (each also verified against the GB 32100 algorithm by this test).
REAL_CODES = {
    "91350100M000100Y43": "GB 32100 example used in DOMAIN.md",
    "914403001922038216": "华为技术有限公司",
    "9144030071526726XG": "腾讯科技（深圳）有限公司",
    "91330100716105852F": "阿里巴巴（中国）网络技术有限公司",
    "91110000802100433B": "北京百度网讯科技有限公司",
    "91440300192317458F": "比亚迪股份有限公司",
    "12100000425006133D": "华东师范大学 (事业单位, authority code 1)",
}


@pytest.mark.parametrize("code", sorted(REAL_CODES))
def test_real_codes_pass(code):
    assert is_valid(code)
    assert validate(code) == code


@pytest.mark.parametrize("code", sorted(REAL_CODES))
def test_every_other_last_character_fails(code):
    for ch in ALPHABET:
        if ch != code[-1]:
            bad = code[:-1] + ch
            assert not is_valid(bad)
            with pytest.raises(CreditCodeError) as exc:
                validate(bad)
            assert exc.value.reason == "check"
            assert exc.value.expected == code[-1]
            assert f"“{code[-1]}”" in str(exc.value) and repr(code[-1]) in str(exc.value)


def test_known_example_last_char_changed():
    assert is_valid("91350100M000100Y43")
    assert not is_valid("91350100M000100Y44")
    with pytest.raises(ValueError, match="校验位.*应为“3”"):
        validate("91350100M000100Y44")


def test_single_digit_change_is_caught():
    code = "914403001922038216"
    for i in range(2, 17):
        for ch in "0123456789":
            if ch != code[i]:
                assert not is_valid(code[:i] + ch + code[i + 1:]), (i, ch)


def test_normalize_fullwidth_lowercase_spaces():
    assert normalize("  ９１３５０１００ｍ０００１００ｙ４３\u3000") == "91350100M000100Y43"
    assert normalize(" 9144 0300 7152 6726xg ") == "9144030071526726XG"
    assert normalize(None) == ""
    assert validate("９１３５０１００ｍ０００１００ｙ４３") == "91350100M000100Y43"


@pytest.mark.parametrize("code,reason", [
    ("", "empty"), (None, "empty"), ("   ", "empty"),
    ("91350100M000100Y4", "length"), ("91350100M000100Y433", "length"),
    ("91350100M000100O43", "character"),   # letter O is never used
    ("9135010IM000100Y43", "character"),
    ("91350100M00010-Y43", "character"),
    ("01350100M000100Y43", "authority"),
    ("B1350100M000100Y43", "authority"),
    ("90350100M000100Y43", "category"),
])
def test_reasons(code, reason):
    with pytest.raises(CreditCodeError) as exc:
        validate(code)
    assert exc.value.reason == reason
    assert not is_valid(code)


def test_messages_are_bilingual():
    with pytest.raises(ValueError) as exc:
        validate("1234")
    assert "18 位" in str(exc.value) and "18 characters" in str(exc.value)
    with pytest.raises(ValueError) as exc:
        validate("91350100M000100O43")
    msg = str(exc.value)
    assert "第 16 位" in msg and "position 16" in msg and "0" in msg


def test_check_char_matches_generated_codes():
    # a code built from any legal 17-char body with its computed check char validates
    body = "Y1110000ABCDEFGHJ"
    assert is_valid(body + check_char(body))
