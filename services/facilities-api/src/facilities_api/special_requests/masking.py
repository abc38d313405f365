"""What a reader who does not handle a special-group request sees of its free text: phone and ID
numbers masked as everywhere (service_kit.text), and every clause that speaks of health (an illness,
a disability, a treatment) hidden whole, since a health condition is sensitive personal information
(敏感个人信息) however it is worded around."""

from __future__ import annotations

import re

from service_kit.text import mask_personal_data

HIDDEN = "[健康信息已隐藏]"

# Words that make a clause about someone's health (Chinese and English); matched case-insensitively.
HEALTH_TERMS = (
    "病",
    "症",
    "瘫",
    "残",
    "盲",
    "聋",
    "哑",
    "失明",
    "失聪",
    "听力",
    "视力",
    "智力",
    "精神",
    "抑郁",
    "焦虑",
    "痴呆",
    "阿尔茨海默",
    "帕金森",
    "中风",
    "脑梗",
    "脑溢血",
    "截肢",
    "轮椅",
    "拐杖",
    "糖尿",
    "血压",
    "心脏",
    "癌",
    "肿瘤",
    "手术",
    "术后",
    "骨折",
    "行动不便",
    "卧床",
    "失能",
    "透析",
    "药",
    "治疗",
    "住院",
    "康复",
    "哮喘",
    "自闭",
    "孤独症",
    "多动",
    "过敏",
    "怀孕",
    "孕",
    "disease",
    "illness",
    "ill ",
    "sick",
    "dementia",
    "alzheimer",
    "parkinson",
    "diabetes",
    "cancer",
    "tumour",
    "tumor",
    "stroke",
    "wheelchair",
    "blind",
    "deaf",
    "surgery",
    "depress",
    "disab",
    "medication",
    "hospital",
    "therapy",
    "pregnan",
)
_CLAUSE = re.compile(r"[^，。；;,.!！?？、\n]+|[，。；;,.!！?？、\n]")


def mentions_health(clause: str) -> bool:
    folded = clause.casefold()
    return any(term in folded for term in HEALTH_TERMS)


def mask_health(text: str) -> str:
    """Each clause (between punctuation marks) that mentions health becomes HIDDEN."""
    return "".join(HIDDEN if mentions_health(part) else part for part in _CLAUSE.findall(text))


def mask_request_text(text: str) -> str:
    """Free text as a reader who is not its handler sees it."""
    return mask_health(mask_personal_data(text)[0]) if text else text


def mask_address(address: str) -> str:
    if not address:
        return ""
    return address[: min(6, max(len(address) // 3, 1))] + "****"
