"""What a chair types to open a vote: ``/vote 标题 | 选项 | 规则 | 时长 | 类型``.

With at least one ``|`` it is the one-line form: every part after the title may be left empty
and takes its default — 同意/不同意/弃权, "60 %以上 of all households", 48 hours, open (named)
ballot, results shown at close. Without ``|`` (``/vote`` or ``/vote 标题``) the bot asks for the
rest step by step (bot.flows.vote_dialogue). ``#3`` instead of a title votes on proposal No. 3.
Rules are read the way people write them — 过半数, 60%以上, 超过60%, 三分之二, 多数, optional
法定50% — in Chinese or English; full-width characters are normalised first.

Both forms fill the same :class:`Draft` (the parts as text), which :func:`build` turns into a
:class:`~bot.flows.votes.Spec`; the draft is what the dialogue storage keeps until the chair
confirms.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import asdict, dataclass
from datetime import timedelta
from fractions import Fraction
from typing import Any

from bot.flows import vote_rules as rules
from bot.flows.inputs import Invalid
from bot.flows.votes import DEFAULT_DURATION, Spec
from bot.i18n import t

TITLE_LIMIT = 200
OPTION_LIMIT = 10
APPROVAL_LABELS = {"zh_CN": ("同意", "不同意", "弃权"), "en": ("Agree", "Disagree", "Abstain")}
_APPROVAL_WORDS = {("同意", "不同意", "弃权"), ("agree", "disagree", "abstain")}
_PERCENT = r"(\d{1,3}(?:\.\d)?)\s*%"
_DURATION = re.compile(r"^(\d{1,4})\s*(分钟|min|m|小时|h|天|d)$", re.IGNORECASE)
_UNITS = {"分钟": 1, "min": 1, "m": 1, "小时": 60, "h": 60, "天": 1440, "d": 1440}
_SECRET = {"无记名", "不记名", "秘密", "secret"}
_OPEN = {"记名", "公开", "open", "named"}
_LIVE = {"实时", "实时结果", "live"}
_PROPOSAL = re.compile(r"#\s*(\d{1,9})")


@dataclass
class Draft:
    """The parts of a vote as typed or chosen; empty means the default."""

    title: str = ""
    options: str = ""
    rule: str = ""
    duration: str = ""
    kind: str = ""
    proposal: int | None = None  # the proposal's id (not its number) when voting on one
    scope: int | None = None  # the electorate's scope; None: the group's

    def as_data(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> Draft:
        return cls(**{k: v for k, v in data.items() if k in cls.__dataclass_fields__})


@dataclass(frozen=True)
class Request:
    """What /vote's arguments say before anything is looked up."""

    draft: Draft
    proposal_number: int | None  # ``#3``: the title and scope come from proposal No. 3
    complete: bool  # the one-line form (``|`` given): nothing is asked, defaults fill the rest


def normalized(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "")


def read(args: str) -> Request:
    """Split /vote's arguments (full-width ｜ and ＃ too); the parts are checked by build()."""
    parts = [" ".join(p.split()) for p in normalized(args).split("|")]
    if len(parts) > 5:
        raise Invalid(t("Too many parts: /vote title | options | rule | duration | type."))
    parts += [""] * (5 - len(parts))
    head, options, rule, duration, kind = parts
    found = _PROPOSAL.fullmatch(head)
    draft = Draft("" if found else head, options, rule, duration, kind)
    return Request(draft, int(found.group(1)) if found else None, "|" in normalized(args))


def parse(args: str, language: str) -> Spec:
    """The one-line form without a proposal, straight to a Spec."""
    return build(read(args).draft, language)


def build(draft: Draft, language: str) -> Spec:
    kind, labels = options(draft.options, language)
    secret, hidden = ballot_type(draft.kind)
    return Spec(
        title(draft.title), kind, labels, rule(draft.rule), secret, hidden, duration(draft.duration)
    )


def title(text: str) -> str:
    if not text:
        raise Invalid(
            t("Give the vote a title: /vote 7栋安装门禁系统 | 同意/不同意/弃权 | 过半数 | 48小时")
        )
    if len(text) > TITLE_LIMIT or any(unicodedata.category(c) == "Cc" for c in text):
        raise Invalid(t("A title can have at most {limit} characters.", limit=TITLE_LIMIT))
    return text


def options(text: str, language: str) -> tuple[str, tuple[str, ...]]:
    if not text:
        return rules.APPROVAL, APPROVAL_LABELS.get(language, APPROVAL_LABELS["zh_CN"])
    labels = tuple(o.strip() for o in re.split(r"[/、,，;；]", text) if o.strip())
    if len(labels) < 2 or len(labels) > OPTION_LIMIT or len(set(labels)) != len(labels):
        raise Invalid(
            t(
                "Options: 2 to {limit} different choices separated by /, e.g. 同意/不同意/弃权.",
                limit=OPTION_LIMIT,
            )
        )
    if any(len(label) > 30 for label in labels):
        raise Invalid(t("An option can have at most 30 characters."))
    if tuple(label.lower() for label in labels) in _APPROVAL_WORDS:
        return rules.APPROVAL, labels
    return rules.CHOICE, labels


def rule(text: str) -> rules.Rule:
    if not text:
        return rules.share_of_eligible(Fraction(3, 5), rules.AT_LEAST)
    lowered = text.lower()
    quorum = None
    if found := re.search(r"(?:法定|quorum)\s*" + _PERCENT, lowered):
        quorum = _share(found.group(1))
        lowered = lowered[: found.start()] + lowered[found.end() :]
    lowered = lowered.strip(" ,，;；")
    if lowered in ("多数", "简单多数", "majority", "simple majority"):
        return rules.majority_of_ballots(quorum)
    if lowered in ("三分之二", "2/3", "two thirds", "two-thirds"):
        return rules.two_thirds_of_ballots(quorum)
    if lowered in ("过半数", "超过半数", "more than half"):
        return rules.share_of_eligible(rules.HALF, rules.MORE_THAN, quorum)
    if lowered in ("半数以上", "at least half"):
        return rules.share_of_eligible(rules.HALF, rules.AT_LEAST, quorum)
    if found := re.fullmatch(_PERCENT + r"\s*以上|at least\s*" + _PERCENT, lowered):
        return rules.share_of_eligible(
            _share(found.group(1) or found.group(2)), rules.AT_LEAST, quorum
        )
    if found := re.fullmatch(r"超过\s*" + _PERCENT + r"|more than\s*" + _PERCENT, lowered):
        return rules.share_of_eligible(
            _share(found.group(1) or found.group(2)), rules.MORE_THAN, quorum
        )
    raise Invalid(
        t(
            "I don't know the rule “{rule}”. Write one of: 过半数 (more than half of all "
            "households), 60%以上 (at least 60 percent of all households), 超过60%, 多数 (majority "
            "of ballots), 三分之二 (two thirds of ballots); add 法定50% to require a quorum.",
            rule=text,
        )
    )


def percent(text: str) -> str:
    """A typed percentage ("60", "60%", "６０％") as the digits rules are written with."""
    found = re.fullmatch(r"(\d{1,3}(?:\.\d)?)\s*%?", normalized(text).strip())
    if found is None:
        raise Invalid(t("Send a percentage such as 60 (more than 0, at most 100)."))
    _share(found.group(1))
    return found.group(1)


def has_quorum(text: str) -> bool:
    return re.search(r"法定|quorum", text.lower()) is not None


def _share(value: str) -> Fraction:
    share = Fraction(value) / 100
    if not 0 < share <= 1:
        raise Invalid(t("A share must be more than 0 % and at most 100 %."))
    return share


def duration(text: str) -> timedelta:
    if not text:
        return DEFAULT_DURATION
    found = _DURATION.fullmatch(normalized(text).replace(" ", ""))
    if found is None:
        raise Invalid(t("Give the duration like 48小时, 2天 or 30分钟."))
    minutes = int(found.group(1)) * _UNITS[found.group(2).lower()]
    if not 1 <= minutes <= 30 * 1440:
        raise Invalid(t("A vote lasts at least a minute and at most 30 days."))
    return timedelta(minutes=minutes)


def ballot_type(text: str) -> tuple[bool, bool]:
    """(secret, results hidden until close). A secret ballot never shows live results."""
    words = set(re.split(r"[\s、,，]+", text.lower())) - {""}
    unknown = words - _SECRET - _OPEN - _LIVE
    if unknown or (words & _SECRET and words & _OPEN):
        raise Invalid(
            t("Ballot type: 记名 (named) or 无记名 (secret); add 实时 to show results live.")
        )
    secret, live = bool(words & _SECRET), bool(words & _LIVE)
    if secret and live:
        raise Invalid(
            t(
                "A secret ballot cannot show results live: whoever watches the counts change "
                "right after a neighbour taps learns how that household voted. Its results are "
                "shown when it closes."
            )
        )
    return secret, not live
