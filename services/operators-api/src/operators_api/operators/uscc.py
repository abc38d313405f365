"""统一社会信用代码 (USCC): the 18-character unified social credit code of GB 32100-2015.

    position  1      registration authority (登记管理部门代码)
    position  2      organisation type under that authority (机构类别代码)
    positions 3-8    administrative division of the registering office (GB/T 2260, six digits)
    positions 9-17   organisation code (主体标识码, GB 11714): eight characters and their own check digit
    position  18     check character over positions 1-17

Pure functions, no I/O: `problem()` says what is wrong with a code (or None), `complete()` appends
the check characters to a code's body (for demo data and tests).
"""

from __future__ import annotations

from dataclasses import dataclass

# 31 characters: the digits and the capital letters without I, O, Z, S, V.
CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
VALUES = {c: i for i, c in enumerate(CHARSET)}
# Weight of positions 1..17: 3^(i-1) mod 31.
WEIGHTS = tuple(pow(3, i, 31) for i in range(17))

# GB 11714 organisation code: weights of its eight body characters; digits count as themselves,
# letters A=10 … Z=35.
ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)

# Position 1 → the organisation types (position 2) that authority registers (GB 32100-2015 table,
# with the later additions A and N).
AUTHORITIES: dict[str, tuple[str, dict[str, str]]] = {
    "1": ("机构编制", {"1": "机关", "2": "事业单位", "3": "中央编办直接管理机构编制的群众团体", "9": "其他"}),
    "2": ("外交", {"1": "外国常驻新闻机构", "9": "其他"}),
    "3": (
        "司法行政",
        {
            "1": "律师执业机构",
            "2": "公证处",
            "3": "基层法律服务所",
            "4": "司法鉴定机构",
            "5": "仲裁委员会",
            "9": "其他",
        },
    ),
    "4": ("文化", {"1": "外国在华文化中心", "9": "其他"}),
    "5": ("民政", {"1": "社会团体", "2": "民办非企业单位", "3": "基金会", "9": "其他"}),
    "6": ("旅游", {"1": "外国旅游部门常驻代表机构", "2": "港澳台地区旅游部门常驻内地（大陆）代表机构", "9": "其他"}),
    "7": ("宗教", {"1": "宗教活动场所", "2": "宗教院校", "9": "其他"}),
    "8": ("工会", {"1": "基层工会", "9": "其他"}),
    "9": ("工商", {"1": "企业", "2": "个体工商户", "3": "农民专业合作社"}),
    "A": ("中央军委改革和编制办公室", {"1": "军队事业单位", "9": "其他"}),
    "N": ("农业", {"1": "组级集体经济组织", "2": "村级集体经济组织", "3": "乡镇级集体经济组织", "9": "其他"}),
    "Y": ("其他", {"1": "其他"}),
}


@dataclass(frozen=True, slots=True)
class UsccProblem:
    """Which rule a code breaks (`rule`, a stable slug) and a sentence saying how."""

    rule: str
    message: str


def check_character(body: str) -> str:
    """The 18th character for the first 17 (which must be from CHARSET)."""
    total = sum(VALUES[c] * w for c, w in zip(body, WEIGHTS, strict=True))
    return CHARSET[(31 - total % 31) % 31]


def _org_value(c: str) -> int:
    return int(c) if c.isdigit() else ord(c) - ord("A") + 10


def organisation_check_digit(body: str) -> str:
    """GB 11714: the check digit of an eight-character organisation code body."""
    total = sum(_org_value(c) * w for c, w in zip(body, ORG_WEIGHTS, strict=True))
    c9 = 11 - total % 11
    return "X" if c9 == 10 else "0" if c9 == 11 else str(c9)


def complete(body16: str) -> str:
    """A full code from its first 16 characters: appends the organisation check digit and the check character."""
    body17 = body16 + organisation_check_digit(body16[8:16])
    return body17 + check_character(body17)


def problem(code: str) -> UsccProblem | None:
    """What is wrong with `code`, or None when it is a well-formed USCC."""
    if len(code) != 18:
        return UsccProblem("length", f"A unified social credit code has 18 characters; this one has {len(code)}.")
    for position, c in enumerate(code, start=1):
        if c not in VALUES:
            hint = " (the letters I, O, Z, S and V are never used)" if c in "IOZSV" else ""
            return UsccProblem(
                "characters",
                f"Character {position} ({c!r}) is not allowed: a code uses only digits and capital letters{hint}.",
            )
    expected = check_character(code[:17])
    if code[17] != expected:
        return UsccProblem(
            "check-character",
            f"The check character (18th) should be {expected!r} for the first 17, not {code[17]!r}: "
            "a character is probably mistyped.",
        )
    authority = AUTHORITIES.get(code[0])
    if authority is None:
        return UsccProblem(
            "registration-authority",
            f"The first character ({code[0]!r}) names no registration authority; "
            f"it is one of {', '.join(AUTHORITIES)}.",
        )
    authority_name, types = authority
    if code[1] not in types:
        return UsccProblem(
            "organisation-type",
            f"The second character ({code[1]!r}) is no organisation type of authority {code[0]} ({authority_name}); "
            f"it registers types {', '.join(types)}.",
        )
    if not code[2:8].isdigit() or not code[2:8].isascii():
        return UsccProblem(
            "division",
            f"Characters 3 to 8 ({code[2:8]!r}) must be the six digits of an administrative division.",
        )
    org_check = organisation_check_digit(code[8:16])
    if code[16] != org_check:
        return UsccProblem(
            "organisation-code-check",
            f"The organisation code (characters 9 to 17, {code[8:17]!r}) should end in {org_check!r} (GB 11714).",
        )
    return None


def is_valid(code: str) -> bool:
    return problem(code) is None


def describe(code: str) -> dict[str, str]:
    """The parts of a valid code, named (registration authority, type, division, organisation code)."""
    authority_name, types = AUTHORITIES[code[0]]
    return {
        "registration_authority": authority_name,
        "organisation_type": types[code[1]],
        "division": code[2:8],
        "organisation_code": f"{code[8:16]}-{code[16]}",
    }
