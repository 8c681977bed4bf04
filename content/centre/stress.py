"""A stress centre: content unlike the sample, at the edges of what a real hall may have.

A district centre with 20 windows (two that share a long beginning, some without staff), 40
categories (so two-letter ticket prefixes), one category with no items yet, 60 staff, agents of all
three tiers, names at their longest and with characters from every CJK extension block (㐀 A, 𠮷 B,
𪜀 C, 𫝀 D, 𫠠 E, 𬺰 F) and with ·, 1,000-character steps, an item with 25 required documents, notes of
348 characters (a legalisation requirement, as a real hall writes one), and on that item a fee and a note at
their full length. Every screen is tried with it (`hall synth --stress`).
"""

from __future__ import annotations

import itertools
import string
from pathlib import Path
from typing import Any

import yaml

from content.shared import limits as cap

RARE = "㐀䶵𠮷𡋗𪜀𫝀𫠠𬺰鿏"
"""One or two characters of each CJK block past the URO's common core: Extensions A to F, a late URO one."""
WINDOWS = 20
CATEGORIES = 40
STAFF = 60
EMPTY_CATEGORY = "c40"
"""The category that has no items yet."""
LEGALISATION = 348
"""The length of the documents' notes: a real one, on a document made abroad, runs to about this."""
MANY_DOCUMENTS = 25
"""The documents of the first item, whose fee and last note are at their full length (`limits.NOTE`)."""

_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐"
_GIVEN = ("𠮷祥", "𡋗", "秀英", "建华", "志强", "丽萍", "㐀明", "𪜀", "国平", "海燕", "德全", "𫝀芬")
_TOPICS = (
    "社会保障", "医疗保障", "民政救助", "残疾人服务", "退役军人事务", "农业农村", "林业草原", "水利水务",
    "自然资源", "住房城乡建设", "交通运输", "市场监管", "税务", "公安户籍", "出入境", "司法公证",
    "教育", "卫生健康", "计划生育", "文化旅游", "广播电视", "应急管理", "生态环境", "人力资源",
    "就业创业", "工会帮扶", "妇女儿童", "老龄服务", "殡葬管理", "婚姻登记", "不动产登记", "公积金",
    "电力报装", "供水报装", "燃气报装", "通信宽带", "邮政快递", "党员服务", "民情诉求",
)  # fmt: skip


def _prefix(index: int) -> str:
    """A … Z, then AA, AB …: a ticket prefix per category."""
    letters = string.ascii_uppercase
    return letters[index] if index < 26 else letters[index // 26 - 1] + letters[index % 26]


def _fill(text: str, length: int) -> str:
    """`text` repeated and cut to exactly `length` characters."""
    return "".join(itertools.islice(itertools.cycle(text), length))


def _centre() -> dict[str, Any]:
    windows = []
    for i in range(WINDOWS):
        number = i + 1
        if i == 0:
            name = "综合受理窗口（全科无差别受理·一窗通办）"
        elif i in (1, 2):
            name = ("社会保障服务窗口（城乡居民养老保险）", "社会保障服务窗口（城乡居民医疗保险）")[i - 1]
        elif i == 3:
            name = _fill(f"𠮷𡋗片区{RARE}不动产登记与税费缴纳联合办理窗口", cap.LABEL)
        else:
            name = f"{_TOPICS[i % len(_TOPICS)]}窗口"
        categories = [f"c{(i * 2 + k) % CATEGORIES + 1:02d}" for k in range(2)]
        windows.append(
            {
                "id": f"w{number:02d}",
                "number": number,
                "name": name,
                "comprehensive": i == 0,
                "categories": [f"c{n:02d}" for n in range(1, CATEGORIES + 1)] if i == 0 else categories,
            }
        )
    return {
        "id": "stress",
        "name": _fill(f"四川省绵阳市游仙区𠮷祥镇𡋗村片区暨{RARE}街道党群服务中心·政务服务综合体便民服务中心", 60),
        "short_name": "𠮷祥镇𡋗村片区便民服务中心",
        "tier": "district",
        "address": _fill("四川省绵阳市游仙区𠮷祥镇𡋗村正街一号综合楼一楼至三楼（𪜀𫝀路与𫠠𬺰街交叉口）", 200),
        "timezone": "Asia/Shanghai",
        "public_url": "http://hall.stress.local:8080",
        "hours": [
            {"days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"], "open": "00:00", "close": "23:59"},
        ],
        "hours_note": _fill("全年无休；逢场赶集日各窗口全员在岗，其余时间由综合受理窗口代为受理、内部转办。", 400),
        "hotline": "0816-2290000",
        "complaint_phone": "0816-2290012",
        "windows": windows,
        "rules": [
            {"title": "首问负责制", "text": _fill("第一个被问到的工作人员就是首问责任人，不得推诿。", 600)},
            {"title": "一次性告知制", "text": "材料不齐的，一次性书面告知需补齐的全部材料。"},
        ],
        "queue": {"tickets_per_minute": 100000, "issue_any_time": True},  # to be tried at any hour
    }


def _categories() -> list[dict[str, Any]]:
    categories = []
    for i in range(CATEGORIES):
        if i == CATEGORIES - 1:
            name = "新设事项（暂未进驻）"
        elif i == 5:
            name = _fill(f"{RARE}退役军人事务与优抚安置及拥军优属服务类", cap.LABEL)
        else:
            name = _TOPICS[i % len(_TOPICS)]
        categories.append({"id": f"c{i + 1:02d}", "name": name, "prefix": _prefix(i)})
    return categories


_LEGALISED = (
    "在境外形成的材料，须经所在国公证机关公证，并经该国外交部或其授权机关认证，"
    "再经中华人民共和国驻该国使馆、领馆认证；所在国为《取消外国公文书认证要求的公约》"
    "缔约国的，由该国主管机关出具附加证明书即可，无需领事认证。在香港、澳门形成的材料，"
    "须经司法部委托的公证人公证并加盖转递专用章；在台湾地区形成的材料，须经当地公证机构"
    "公证并由海峡交流基金会寄送公证书副本。外文材料须附具有资质的翻译机构出具的中文译本，"
    "译本须加盖翻译专用章并注明译者姓名和联系电话。复印件须注明“与原件一致”，由申请人"
    "签名并注明日期；材料有效期为出具之日起六个月。申请人本人不能到场的，可委托他人办理，"
    "受托人须提交经公证的授权委托书及本人有效身份证件原件；授权委托书在境外形成的，"
    "同样须经公证、认证或者出具附加证明书。"
)
"""A legalisation requirement on a document made abroad, as a hall writes it."""


def _document(n: int, last: int) -> dict[str, Any]:
    document: dict[str, Any] = {"name": f"材料{n}：{_TOPICS[n % len(_TOPICS)]}相关证明（{RARE[n % len(RARE)]}）"}
    document["form"] = ("original", "copy", "original_and_copy")[n % 3]
    if n == MANY_DOCUMENTS == last:
        document["note"] = _fill(f"第{n}项材料：{_LEGALISED}", cap.NOTE)
    elif n % 4 == 0:
        document["note"] = _fill(f"第{n}项材料{_LEGALISED}", LEGALISATION)
    return document


def _items() -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    windows = _centre()["windows"]
    for c in range(1, CATEGORIES):  # the last category has no items yet
        for k in range(1 + c % 3):
            index = len(items)
            window = next((w["id"] for w in windows if f"c{c:02d}" in w["categories"] and w["number"] != 1), None)
            name = f"{_TOPICS[c % len(_TOPICS)]}事项{k + 1}"
            documents = MANY_DOCUMENTS if index == 0 else 1 + index % 4
            if index % 7 == 0:
                name = _fill(f"{RARE}{name}（含𠮷祥镇𡋗村片区跨层级联办及网上预审、网上受理、代办件集中转报）", 70)
            items.append(
                {
                    "id": f"i{c:02d}-{k + 1}",
                    "name": name,
                    "category": f"c{c:02d}",
                    "department": _fill(f"游仙区{_TOPICS[c % len(_TOPICS)]}局{RARE}", 40),
                    "windows": [window, "w01"] if window else ["w01"],
                    "instant": k == 0,
                    "limits": {
                        "legal": 0 if k == 0 else 20,
                        "promised": 0 if k == 0 else 8,
                        "proxy": 2 if k == 0 else 10,
                    },
                    "fee": _fill(
                        "不收费（工本费按省物价局核定标准收取，困难群众凭证明减免）。",
                        cap.NOTE if index == 0 else 200,
                    ),
                    "documents": [_document(n, documents) for n in range(1, documents + 1)],
                    "steps": [
                        _fill(f"第一步：申请人到村（社区）代办点或窗口提交材料；{RARE}代办员全程代办。", 1000),
                        "窗口审核，材料齐全的当场受理。",
                        _fill("办结后通知申请人取件，或由代办员代为取件送达。", 300),
                    ],
                    "basis": _fill("《中华人民共和国行政许可法》《四川省政务服务条例》", 500),
                    "phone": "0816-2290001",
                    "tiers": ["village", "township", "district"],
                    "keywords": [_TOPICS[c % len(_TOPICS)]],
                }
            )
    return items


def _staff() -> list[dict[str, Any]]:
    staff = []
    statuses = ("on_duty", "away", "off", "leave")
    for i in range(STAFF):
        name = _SURNAMES[i % len(_SURNAMES)] + _GIVEN[i % len(_GIVEN)]
        if i == 1:
            name = "阿依古丽·买买提"
        elif i == 2:
            name = _fill("欧阳𠮷祥·𡋗㐀䶵𪜀𫝀𫠠𬺰", cap.LABEL)
        window = f"w{i % 16 + 1:02d}" if i % 5 else None  # windows 17 to 20 have no staff
        member = {
            "id": f"s{i + 1:02d}",
            "name": name,
            "post": _fill("窗口工作人员（负责受理、审核、办结及一次性告知）", 40 if i % 9 == 0 else 10),
            "phone": f"0816-22{9100 + i}",
            "status": statuses[i % 4],
        }
        if window is not None:
            member["window"] = window
        staff.append(member)
    return staff


def _agents() -> list[dict[str, Any]]:
    agents = []
    for i, tier in enumerate(["village"] * 12 + ["township"] * 6 + ["district"] * 4):
        agents.append(
            {
                "id": f"a{i + 1:02d}",
                "name": _SURNAMES[(i * 7) % len(_SURNAMES)] + _GIVEN[(i * 5) % len(_GIVEN)],
                "tier": tier,
                "area": _fill(f"𠮷祥镇𡋗村第{i + 1}片区（含{RARE}等自然村）", 40 if i % 4 == 0 else 12),
                "phone": f"0816-22{9300 + i}",
            }
        )
    return agents


def stress_files() -> dict[str, Any]:
    """The stress centre's files, by path relative to the content directory, as data."""
    items = _items()
    by_category: dict[str, list[dict[str, Any]]] = {}
    for item in items:
        by_category.setdefault(item["category"], []).append(item)
    files: dict[str, Any] = {
        "centre.yaml": _centre(),
        "categories.yaml": {"categories": _categories()},
        "staff.yaml": {"staff": _staff()},
        "agents.yaml": {"agents": _agents()},
    }
    for category, its in by_category.items():
        files[f"items/{category}.yaml"] = {"items": its}
    return files


def write_stress_centre(out: Path) -> None:
    """Write the stress centre into `out` (which must be new or empty, or one `hall synth` wrote)."""
    from content.centre.synth import claim_directory

    claim_directory(out)
    for relative, data in stress_files().items():
        path = out / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=200), encoding="utf-8")
