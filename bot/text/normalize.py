"""Normalise Chinese proposal text for matching (not for display).

``normalize(text)`` is pure, deterministic and cheap (regular expressions and a translate
table, no jieba): NFKC (full-width → half-width), lower case, a few traditional characters
common in community matters → simplified, Chinese numerals that count things → digits
(七栋 → 7栋, 十二号楼 → 12栋, 两个 → 2个, 二十三 → 23), every way of naming a building
(7号楼, 七幢, 7#楼, 7楼, 7栋) → one token ``7栋``, units → ``2单元``, ``7-2-301`` →
``7栋2单元301室``; emoji, punctuation and other symbols become spaces.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["BUILDING_RE", "UNIT_RE", "cn_to_int", "numerals_to_digits", "normalize"]

# Traditional → simplified, limited to characters that show up in community matters.
_TRADITIONAL = str.maketrans(
    "樓棟門車電燈號單區視監費業選舉會議員園綠鄰裝廣場聲維護設備動產滅壞積網絡規劃時間應該這個們為麼與層戶衛齊線狀態處響氣熱錢帳賬擾亂違權髒衝灣轉遷屬統攝頭檢驗樹體貓糞溝開關鎖鑰綫舊擴類",
    "楼栋门车电灯号单区视监费业选举会议员园绿邻装广场声维护设备动产灭坏积网络规划时间应该这个们为么与层户卫齐线状态处响气热钱帐账扰乱违权脏冲湾转迁属统摄头检验树体猫粪沟开关锁钥线旧扩类",
)

_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_UNITS = {"十": 10, "百": 100, "千": 1000}

# A numeral run: starts with a digit or 十 (so 千万/万一/百姓 are left alone).
_NUMERAL_RUN = re.compile(r"(第?)([〇零一二两三四五六七八九十][〇零一二两三四五六七八九十百千万]*)")
# Words after a numeral that make it a count or an ordinal worth matching on.
_COUNTERS = (
    "号楼|号栋|号幢|栋楼|栋|幢|楼|单元|号|层|户|家|个|辆|台|部|元|块|角|米|公里|平方|平米|"
    "天|日|月|年|周|次|回|人|位|名|室|间|处|盏|条|棵|根|把|座|片|期|组|套|张|项|件|倍|岁|"
    "小时|分钟|斤|吨|成|%"
)
_COUNTER_AHEAD = re.compile(rf"\s*(?:{_COUNTERS})")

# Buildings: 7号楼 / 7号栋 / 7号幢 / 7#楼 / 7# / 7栋楼 / 7栋 / 7幢 / 7楼 (not 7楼道, 7楼梯…).
_BUILDING_HASH = re.compile(r"(\d+)\s*#\s*[楼栋幢]?")
_NOT_A_BUILDING = "(?![道梯顶层上下房])"  # 7楼道, 5栋楼下: the 楼 belongs to the next word
_BUILDING_WORDS = re.compile(
    rf"(\d+)\s*(?:号楼|号栋|号幢|栋|幢|楼{_NOT_A_BUILDING})(?:楼{_NOT_A_BUILDING})*"
)
_UNIT_WORDS = re.compile(r"(\d+)\s*单元(?:楼(?![道梯顶层]))?")
_BUILDING_UNIT_ROOM = re.compile(r"(?<![\d.])(\d{1,3})-(\d{1,2})-(\d{3,4})(?![\d.])")

BUILDING_RE = re.compile(r"\d+栋")
UNIT_RE = re.compile(r"\d+单元")

_SPACES = re.compile(r"\s+")


def cn_to_int(numeral: str) -> int:
    """二十三 → 23, 十二 → 12, 一百零五 → 105, 两千 → 2000, 三零一 → 301 (digit by digit)."""
    if not any(ch in _UNITS or ch == "万" for ch in numeral):
        # No multiplier: read digit by digit (三零一 → 301, 二〇二四 → 2024).
        return int("".join(str(_DIGITS[ch]) for ch in numeral))
    total = 0  # completed 万 groups
    section = 0  # below 万
    digit = 0
    for ch in numeral:
        if ch in _DIGITS:
            digit = _DIGITS[ch]
        elif ch in _UNITS:
            section += (digit or 1) * _UNITS[ch]
            digit = 0
        elif ch == "万":
            total += (section + digit or 1) * 10000
            section = digit = 0
    return total + section + digit


def _numeral(match: re.Match[str]) -> str:
    ordinal, run = match.group(1), match.group(2)
    text = match.string
    counted = _COUNTER_AHEAD.match(text, match.end()) is not None
    # 十二, 二十三: a number on its own (十 alone is 十分 "very", 一千万 "by all means").
    compound = len(run) >= 2 and "十" in run
    if not (ordinal or counted or compound):
        return match.group(0)
    if run == "两" and not counted:
        return match.group(0)
    return f"{ordinal}{cn_to_int(run)}"


def numerals_to_digits(text: str) -> str:
    """Chinese numerals → digits where they count or order things; words like 一起, 统一,
    万一, 千万 stay as they are."""
    return _NUMERAL_RUN.sub(_numeral, text)


def _keep(ch: str) -> bool:
    category = unicodedata.category(ch)
    # Letters and digits stay; marks (variation selectors), punctuation, symbols (emoji), controls and format
    # characters (zero-width joiners) go.
    return category[0] in "LN" or ch in "%"


def normalize(text: str) -> str:
    """The matching form of ``text``: see the module docstring. Idempotent."""
    text = unicodedata.normalize("NFKC", text).casefold().translate(_TRADITIONAL)
    # Forms that need punctuation: 7-2-301, 7#楼.
    text = _BUILDING_UNIT_ROOM.sub(r"\1栋\2单元\3室", text)
    text = _BUILDING_HASH.sub(r"\1栋", text)
    # Noise out first, so that nothing after it can create a new match on a second pass.
    text = _SPACES.sub(" ", "".join(ch if _keep(ch) else " " for ch in text))
    text = numerals_to_digits(text)
    text = _BUILDING_WORDS.sub(r"\1栋", text)
    text = _UNIT_WORDS.sub(r"\1单元", text)
    return text.strip()
