"""Case categories (案件类别): each belongs to one kind and has a response deadline in working days
(overridable per category with FEEDBACK_CASE_DEADLINES). They are Open311's services; their extra
fields are the service definition's attributes."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Attribute:
    code: str
    datatype: str  # string, number, datetime, text, singlevaluelist, multivaluelist
    required: bool
    description: str
    values: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Category:
    code: str
    kind: str
    name_zh: str
    name_en: str
    deadline_days: int
    description: str
    keywords: str = ""
    attributes: tuple[Attribute, ...] = field(default_factory=tuple)
    # A complaint about the operator itself (its charges, its staff's conduct): the bureau's to handle, never
    # the accused operator's (see ABOUT_OPERATOR).
    about_operator: bool = False


_FACILITY = Attribute(
    "facility_id", "number", False, "设施编号 (the facility's id on this platform)"
)
_ACTIVITY = Attribute(
    "activity_id", "number", False, "活动编号 (the activity's id, if it is about one)"
)
_VISIT = Attribute("visited_at", "datetime", False, "到访时间 (when it happened)")

CATEGORIES: dict[str, Category] = {
    c.code: c
    for c in (
        Category(
            "fee_overcharge",
            "complaint",
            "收费高于核定标准",
            "Charged more than the approved fee",
            2,
            "A service or activity charged more than its approved preferential fee, or charged for a basic (free) service.",
            "收费,超标,优惠收费,fee",
            (
                _FACILITY,
                _ACTIVITY,
                Attribute(
                    "service_id", "number", False, "服务项目编号 (the service's id)"
                ),
                Attribute(
                    "charged_fen",
                    "number",
                    True,
                    "实收金额（分）(what was charged, in fen)",
                ),
                Attribute(
                    "receipt",
                    "singlevaluelist",
                    False,
                    "是否有收据 (is there a receipt)",
                    (("yes", "有"), ("no", "无")),
                ),
            ),
            about_operator=True,
        ),
        Category(
            "service_quality",
            "complaint",
            "服务质量",
            "Service quality",
            2,
            "Poor service, wrong information, a service not delivered as promised.",
            "服务,质量",
            (_FACILITY, _ACTIVITY, _VISIT),
        ),
        Category(
            "opening_hours",
            "complaint",
            "开放时间不符",
            "Not open as announced",
            2,
            "Closed during published opening hours, or without notice.",
            "开放,闭馆,时间",
            (_FACILITY, _VISIT),
        ),
        Category(
            "staff_conduct",
            "complaint",
            "工作人员态度",
            "Staff conduct",
            2,
            "Rude, unhelpful or improper conduct of staff or volunteers.",
            "态度,工作人员",
            (_FACILITY, _VISIT),
            about_operator=True,
        ),
        Category(
            "facility_condition",
            "complaint",
            "设施环境",
            "Facility condition",
            3,
            "Broken equipment, hygiene, noise, safety.",
            "设施,环境,卫生,安全",
            (_FACILITY, _VISIT),
        ),
        Category(
            "accessibility",
            "complaint",
            "无障碍与特殊群体服务",
            "Accessibility and special groups",
            3,
            "Barriers for elderly, disabled or other special-group residents; appointment or home service not given.",
            "无障碍,老年人,残疾人",
            (_FACILITY,),
        ),
        Category(
            "activity_organisation",
            "complaint",
            "活动组织",
            "Activity organisation",
            3,
            "Booking, cancellation, capacity or content problems of an activity.",
            "活动,预约,报名",
            (_FACILITY, _ACTIVITY),
        ),
        Category(
            "suggestion",
            "suggestion",
            "意见建议",
            "Suggestion",
            5,
            "An idea to improve a facility, a service or an activity.",
            "建议",
            (_FACILITY,),
        ),
        Category(
            "praise",
            "praise",
            "表扬",
            "Praise",
            5,
            "Thanks for good service.",
            "表扬,感谢",
            (_FACILITY, _ACTIVITY),
        ),
        Category(
            "consultation",
            "consultation",
            "咨询",
            "Question",
            1,
            "A question about facilities, services, activities or bookings.",
            "咨询,问题",
            (_FACILITY,),
        ),
    )
}


# Complaints that accuse the operator running the facility of something it gains by (overcharging) or
# answers for as an employer (its staff's conduct). The operator would judge its own case: they go to the
# officials of the facility's subdistrict (then the district, when overdue), and the accused operator
# neither sees nor answers nor closes them. Other complaints (the service, opening hours, the building,
# accessibility, an activity's organisation) are problems the operator is there to fix: they go to it,
# with the bureau watching the deadline.
ABOUT_OPERATOR: tuple[str, ...] = tuple(
    c.code for c in CATEGORIES.values() if c.about_operator
)


def deadline_days(code: str, overrides: dict[str, int]) -> int:
    return int(overrides.get(code, CATEGORIES[code].deadline_days))
