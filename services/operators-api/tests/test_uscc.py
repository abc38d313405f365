"""The USCC rules (GB 32100-2015, with GB 11714 for the organisation code), as pure functions."""

from __future__ import annotations

import itertools
import json
from importlib import resources

import pytest

from operators_api.operators import uscc
from operators_api.operators.uscc import (
    CHARSET,
    check_character,
    complete,
    organisation_check_digit,
    problem,
)

# Codes printed on well-known companies' public business licences. Both check characters are
# worked out below by hand, not copied from anywhere.
REAL_CODES = {
    "91110108551385082Q": "小米科技有限责任公司 (Beijing, Haidian)",
    "91110000802100433B": "北京百度网讯科技有限公司 (Beijing)",
    "914403001922038216": "华为技术有限公司 (Shenzhen)",
    "91440300708461136T": "腾讯科技（深圳）有限公司 (Shenzhen)",
    "91330100716105852F": "阿里巴巴（中国）有限公司 (Hangzhou)",
}
DEMO_CODES = [
    item["uscc"]
    for item in json.loads(
        resources.files("operators_api.demo").joinpath("data", "operators.json").read_text(encoding="utf-8")
    )
]


class TestTheAlgorithm:
    def test_charset_has_31_characters_without_i_o_z_s_v(self):
        assert len(CHARSET) == 31
        assert not set("IOZSV") & set(CHARSET)

    def test_weights_are_powers_of_three_mod_31(self):
        assert uscc.WEIGHTS == (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)

    def test_check_character_worked_by_hand(self):
        # 91110108551385082Q: 9*1 + 1*3 + 1*9 + 1*27 + 0*19 + 1*26 + 0*16 + 8*17 + 5*20 + 5*29 + 1*25
        #   + 3*13 + 8*8 + 5*24 + 0*10 + 8*30 + 2*28 = 999; 999 mod 31 = 7; 31 - 7 = 24 → 'Q'.
        assert check_character("91110108551385082") == "Q"

    def test_organisation_check_digit_worked_by_hand(self):
        # 55138508: 5*3 + 5*7 + 1*9 + 3*10 + 8*5 + 5*8 + 0*4 + 8*2 = 185; 185 mod 11 = 9; 11 - 9 = 2.
        assert organisation_check_digit("55138508") == "2"
        # Letters count A=10 … Z=35: MA01XK3D → 22*3 + 10*7 + 0*9 + 1*10 + 33*5 + 20*8 + 3*4 + 13*2 = 509;
        # 509 mod 11 = 3; 11 - 3 = 8.
        assert organisation_check_digit("MA01XK3D") == "8"

    def test_organisation_check_digit_10_is_x_and_11_is_0(self):
        # 10000018: 1*3 + 1*4 + 8*2 = 23; 23 mod 11 = 1; 11 - 1 = 10 → 'X'.
        assert organisation_check_digit("10000018") == "X"
        # 10000004: 1*3 + 4*2 = 11; 11 mod 11 = 0; 11 - 0 = 11 → '0'.
        assert organisation_check_digit("10000004") == "0"

    def test_check_character_31_is_0(self):
        # Some body whose weighted sum is a multiple of 31 must get '0', not CHARSET[31].
        body = next(
            b
            for b in ("".join(p) + "1234567890123" for p in itertools.product("0123456789", repeat=4))
            if sum(uscc.VALUES[c] * w for c, w in zip(b, uscc.WEIGHTS, strict=True)) % 31 == 0
        )
        assert check_character(body) == "0"

    def test_complete_appends_both_check_characters(self):
        code = complete("91110101MA01XK3D")
        assert code == "91110101MA01XK3D8Q"
        assert problem(code) is None


class TestValidCodes:
    @pytest.mark.parametrize("code", list(REAL_CODES), ids=list(REAL_CODES.values()))
    def test_real_world_codes_pass(self, code):
        assert problem(code) is None
        assert check_character(code[:17]) == code[17]
        assert organisation_check_digit(code[8:16]) == code[16]

    @pytest.mark.parametrize("code", DEMO_CODES)
    def test_demo_codes_are_valid_and_in_dongcheng(self, code):
        assert problem(code) is None
        assert code[2:8] == "110101"

    def test_describe_names_the_parts(self):
        assert uscc.describe("52110101MJ0K7T2P23") == {
            "registration_authority": "民政",
            "organisation_type": "民办非企业单位",
            "division": "110101",
            "organisation_code": "MJ0K7T2P-2",
        }


def _typos(code: str):
    for i, original in enumerate(code):
        for c in CHARSET:
            if c != original:
                yield i, code[:i] + c + code[i + 1 :]


class TestOneCharacterTyposFail:
    @pytest.mark.parametrize("code", [*REAL_CODES, *DEMO_CODES])
    def test_every_single_substitution_fails(self, code):
        slipped = [typo for _, typo in _typos(code) if problem(typo) is None]
        assert slipped == []

    @pytest.mark.parametrize("code", [*REAL_CODES, *DEMO_CODES])
    def test_every_adjacent_transposition_in_the_body_fails(self, code):
        for i in range(16):
            if code[i] != code[i + 1]:
                swapped = code[:i] + code[i + 1] + code[i] + code[i + 2 :]
                assert problem(swapped) is not None, swapped

    def test_a_typo_in_the_body_is_reported_as_the_check_character(self):
        # 小米's code with its 10th character mistyped (5 → 6).
        found = problem("91110108561385082Q")
        assert found is not None and found.rule == "check-character"
        assert "should be" in found.message


class TestEachRuleIsNamed:
    @pytest.mark.parametrize(
        ("code", "rule"),
        [
            ("", "length"),
            ("91110108551385082", "length"),
            ("91110108551385082QQ", "length"),
            ("91110108551385O82Q", "characters"),  # letter O for zero
            ("91110108551385082q", "characters"),  # lower case
            ("９1110108551385082Q", "characters"),  # full-width digit
            ("91110108551385082R", "check-character"),
            (complete("B1110101MA01XK3D"), "registration-authority"),
            (complete("94110101MA01XK3D"), "organisation-type"),
            (complete("Y2110101MA01XK3D"), "organisation-type"),
            (complete("911A0101MA01XK3D"), "division"),
        ],
    )
    def test_rule(self, code, rule):
        found = problem(code)
        assert found is not None and found.rule == rule, found

    def test_organisation_code_check(self):
        # Right overall check character over a wrong organisation check digit: a fabricated code.
        body17 = "91110101MA01XK3D" + "7"
        found = problem(body17 + check_character(body17))
        assert found is not None and found.rule == "organisation-code-check"
        assert "'8'" in found.message

    def test_characters_names_the_position_and_the_letter(self):
        found = problem("91110108551385O82Q")
        assert found is not None
        assert "Character 15 ('O')" in found.message and "I, O, Z, S and V" in found.message

    def test_length_says_how_long_it_was(self):
        found = problem("9111010855138508")
        assert found is not None and "this one has 16" in found.message

    @pytest.mark.parametrize("authority", list(uscc.AUTHORITIES))
    def test_every_authority_and_type_of_the_table_is_accepted(self, authority):
        for kind in uscc.AUTHORITIES[authority][1]:
            assert problem(complete(f"{authority}{kind}110101MA01XK3D")) is None
