"""Demo content: which services each kind of facility offers, and the activities (by brand and
category) a month of programme is drawn from. Names follow the district's own brands and habits."""

from __future__ import annotations

# kind → [(name_zh, category, basic, delivery, target_groups)]
SERVICES: dict[str, list[tuple[str, str, bool, str, list[str]]]] = {
    "public_library": [
        ("图书借阅", "lending", True, "on_site", ["all"]),
        ("阅览座位", "reading_room", True, "on_site", ["all"]),
        ("数字资源与电子阅读", "digital", True, "online", ["all"]),
        ("送书上门", "delivery", True, "home_delivery", ["elderly", "disabled"]),
        ("文创手作体验课", "training", False, "on_site", ["children", "families"]),
    ],
    "cultural_centre": [
        ("公益艺术培训", "training", True, "on_site", ["all"]),
        ("展览展示", "exhibition", True, "on_site", ["all"]),
        ("公益演出", "performance", True, "on_site", ["all"]),
        ("非遗手作进阶课", "heritage", False, "on_site", ["all"]),
    ],
    "culture_sports_centre": [
        ("公益培训", "training", True, "on_site", ["all"]),
        ("文体场地预约", "venue", True, "on_site", ["all"]),
        ("银龄课堂", "training", True, "on_site", ["elderly"]),
        ("周末亲子美育课", "training", False, "on_site", ["children", "families"]),
    ],
    "community_culture_room": [
        ("社区图书角", "lending", True, "on_site", ["all"]),
        ("社区文化活动", "lecture", True, "on_site", ["all"]),
    ],
    "service_point": [("图书借还", "lending", True, "on_site", ["all"])],
    "museum": [
        ("展览参观", "exhibition", True, "on_site", ["all"]),
        ("公益讲解", "consultation", True, "on_site", ["all"]),
        ("研学课程", "training", False, "on_site", ["children", "teenagers"]),
    ],
    "hutong_museum": [
        ("胡同展览参观", "exhibition", True, "on_site", ["all"]),
        ("胡同微游讲解", "heritage", True, "on_site", ["all"]),
    ],
    "art_gallery": [
        ("展览参观", "exhibition", True, "on_site", ["all"]),
        ("艺术公开课", "lecture", True, "on_site", ["all"]),
    ],
    "theatre": [
        ("公益演出", "performance", True, "on_site", ["all"]),
        ("戏剧工作坊", "training", False, "on_site", ["teenagers"]),
    ],
    "new_cultural_space": [
        ("阅读空间", "reading_room", True, "on_site", ["all"]),
        ("读书沙龙", "lecture", True, "on_site", ["all"]),
        ("文创咖啡体验", "other", False, "on_site", ["all"]),
    ],
}

# Chargeable services with fixed ids, named by operators-api's demo fee applications (its DEMO_SERVICES):
# facility id → [(service id, name_zh, category, target groups)]. Non-basic, fee 0 until an approval arrives.
FEE_DEMO_SERVICES: dict[int, list[tuple[int, str, str, list[str]]]] = {
    114: [(11401, "少儿国画体验课", "training", ["children"]), (11402, "市民文化沙龙", "lecture", ["all"])],
    118: [(11801, "亲子阅读工作坊", "training", ["children", "families"])],
    110: [(11001, "胡同文化深度导览", "heritage", ["all"])],
}

# (title, category, brand, target groups, hours long)
PROGRAMME: dict[str, list[tuple[str, str, str, list[str], int]]] = {
    "public_library": [
        ("书海听涛·周末读书会", "reading", "书海听涛", ["all"], 2),
        ("书海听涛·名家讲经典", "lecture", "书海听涛", ["all"], 2),
        ("童心悦读·绘本故事会", "children", "童心悦读", ["children", "families"], 1),
        ("银龄数字课堂：手机挂号与出行", "training", "银龄课堂", ["elderly"], 2),
        ("周末影院·经典老电影", "film", "周末影院", ["all"], 2),
    ],
    "cultural_centre": [
        ("东城文化大讲堂", "lecture", "东城文化大讲堂", ["all"], 2),
        ("非遗传习·北京绢人", "heritage", "非遗传习", ["all"], 2),
        ("戏曲进社区·京剧名段赏析", "performance", "戏曲进社区", ["all", "elderly"], 2),
        ("合唱团公开排练", "performance", "", ["all"], 2),
    ],
    "culture_sports_centre": [
        ("银龄课堂·太极扇", "sports", "银龄课堂", ["elderly"], 1),
        ("一街一品·街道文化节", "festival", "一街一品", ["all"], 3),
        ("书海听涛·街道读书会", "reading", "书海听涛", ["all"], 2),
        ("亲子手工坊", "children", "", ["children", "families"], 2),
    ],
    "community_culture_room": [
        ("一社一特·社区书画班", "training", "一社一特", ["all", "elderly"], 2),
        ("书海听涛·社区共读", "reading", "书海听涛", ["all"], 1),
        ("社区电影放映", "film", "周末影院", ["all"], 2),
    ],
    "museum": [
        ("胡同记忆·专题导览", "exhibition", "胡同记忆", ["all"], 1),
        ("少儿研学：文物里的北京", "children", "", ["children"], 2),
    ],
    "hutong_museum": [
        ("胡同记忆·老街坊口述史", "heritage", "胡同记忆", ["all", "elderly"], 2),
        ("胡同微游", "heritage", "胡同记忆", ["all"], 2),
    ],
    "art_gallery": [("艺术公开课", "lecture", "", ["all"], 2)],
    "theatre": [
        ("公益场·话剧展演", "performance", "", ["all"], 2),
        ("戏曲进社区·周末场", "performance", "戏曲进社区", ["all"], 2),
    ],
    "new_cultural_space": [
        ("书海听涛·夜读会", "reading", "书海听涛", ["all"], 2),
        ("城市漫谈沙龙", "lecture", "", ["all", "teenagers"], 2),
        ("青年诗会", "reading", "", ["teenagers"], 2),
    ],
}

START_HOURS = (9, 10, 14, 15, 19)
