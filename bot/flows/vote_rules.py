"""Voting rules and the evaluation of a tally, in exact fractions and in words.

Pure: no storage. A rule counts support against a base — the ballots cast (simple majority,
two thirds) or every eligible household (a share such as "60 %以上") — with an explicit
comparator, because Chinese legal usage (Civil Code art. 1259) makes "以上" include the number
itself and "超过/过半数" strict. Abstentions are ballots but not agreement. Ties fail. An
optional quorum is a share of eligible households that must have voted. The result's sentence
says all of it: "73 of 120 households agree, 60.8 %, at least 60 % required: passed".
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from bot.i18n import Text, t

AT_LEAST = "at_least"  # 以上: includes the number
MORE_THAN = "more_than"  # 超过 / 过半数: strictly more
MAJORITY_OF_BALLOTS = "majority_of_ballots"
TWO_THIRDS_OF_BALLOTS = "two_thirds_of_ballots"
SHARE_OF_ELIGIBLE = "share_of_eligible"
APPROVAL = "approval"  # options: agree, disagree, abstain (in that order)
CHOICE = "choice"  # one of N options
HALF = Fraction(1, 2)
TWO_THIRDS = Fraction(2, 3)


@dataclass(frozen=True)
class Rule:
    kind: str
    threshold: Fraction
    comparator: str
    quorum: Fraction | None = None

    def __post_init__(self) -> None:
        if self.kind not in (MAJORITY_OF_BALLOTS, TWO_THIRDS_OF_BALLOTS, SHARE_OF_ELIGIBLE):
            raise ValueError(f"unknown rule {self.kind!r}")
        if self.comparator not in (AT_LEAST, MORE_THAN):
            raise ValueError(f"unknown comparator {self.comparator!r}")
        if not 0 < self.threshold <= 1 or (self.quorum is not None and not 0 < self.quorum <= 1):
            raise ValueError("thresholds and quorums are shares between 0 and 1")

    @property
    def of_ballots(self) -> bool:
        return self.kind != SHARE_OF_ELIGIBLE


def majority_of_ballots(quorum: Fraction | None = None) -> Rule:
    return Rule(MAJORITY_OF_BALLOTS, HALF, MORE_THAN, quorum)


def two_thirds_of_ballots(quorum: Fraction | None = None) -> Rule:
    return Rule(TWO_THIRDS_OF_BALLOTS, TWO_THIRDS, AT_LEAST, quorum)


def share_of_eligible(threshold: Fraction, comparator: str, quorum: Fraction | None = None) -> Rule:
    return Rule(SHARE_OF_ELIGIBLE, threshold, comparator, quorum)


def meets(count: int, base: int, share: Fraction, comparator: str) -> bool:
    """count/base compared with share, in integers: exact at every boundary."""
    if base <= 0:
        return False
    if comparator == AT_LEAST:
        return count * share.denominator >= share.numerator * base
    return count * share.denominator > share.numerator * base


@dataclass(frozen=True)
class Result:
    passed: bool
    winner: int | None  # the option that carried (approval: 0, agree), when passed
    ballots: int
    electorate: int
    reason: Text


def evaluate(
    counts: tuple[int, ...], electorate: int, rule: Rule, kind: str, labels: tuple[str, ...] = ()
) -> Result:
    """Decide a tally: counts per option; electorate = households eligible when it opened;
    labels name the options in one-of-N sentences."""
    ballots = sum(counts)
    if rule.quorum is not None and not meets(ballots, electorate, rule.quorum, AT_LEAST):
        reason = t(
            "only {ballots} of {electorate} households voted, {percent}, "
            "a quorum of {quorum} required: {verdict}",
            ballots=ballots,
            electorate=electorate,
            percent=_percent(ballots, electorate, rule.quorum),
            quorum=share_text(rule.quorum),
            verdict=t("failed"),
        )
        return Result(False, None, ballots, electorate, reason)
    if kind == APPROVAL:
        candidate = 0
        tied = len(counts) > 1 and counts[0] == counts[1]
    else:
        top = max(counts, default=0)
        candidate = counts.index(top) if counts else 0
        tied = counts.count(top) > 1
    support = counts[candidate] if counts else 0
    base = ballots if rule.of_ballots else electorate
    passed = meets(support, base, rule.threshold, rule.comparator) and not tied
    verdict = t("passed") if passed else t("failed: a tie") if tied else t("failed")
    params = {
        "support": support,
        "base": base,
        "percent": _percent(support, base, rule.threshold),
        "requirement": requirement(rule),
        "verdict": verdict,
    }
    if kind == CHOICE:
        label = labels[candidate] if candidate < len(labels) else str(candidate + 1)
        reason = (
            t(
                "{support} of {base} ballots chose “{option}”, {percent}, "
                "{requirement} required: {verdict}",
                option=label,
                **params,
            )
            if rule.of_ballots
            else t(
                "{support} of {base} households chose “{option}”, {percent}, "
                "{requirement} required: {verdict}",
                option=label,
                **params,
            )
        )
    elif rule.of_ballots:
        reason = t(
            "{support} of {base} ballots agree, {percent}, {requirement} required: {verdict}",
            **params,
        )
    else:
        reason = t(
            "{support} of {base} households agree, {percent}, {requirement} required: {verdict}",
            **params,
        )
        if not passed and support * 2 > ballots and ballots < electorate:
            reason = t(
                "{sentence}, although {support} of {ballots} ballots agree",
                sentence=reason,
                support=support,
                ballots=ballots,
            )
    return Result(passed, candidate if passed else None, ballots, electorate, reason)


def requirement(rule: Rule) -> Text:
    """The threshold in words: "at least 60 %" (60%以上), "more than half" (过半数)…"""
    if rule.threshold == HALF and rule.comparator == MORE_THAN:
        return t("more than half")
    if rule.threshold == TWO_THIRDS and rule.comparator == AT_LEAST:
        return t("at least two thirds")
    share = share_text(rule.threshold)
    return (
        t("at least {share}", share=share)
        if rule.comparator == AT_LEAST
        else t("more than {share}", share=share)
    )


def describe(rule: Rule) -> Text:
    """The rule as announced when the vote opens."""
    base = (
        t("{requirement} of the ballots must agree", requirement=requirement(rule))
        if rule.of_ballots
        else t("{requirement} of all households must agree", requirement=requirement(rule))
    )
    if rule.quorum is None:
        return base
    return t(
        "{rule}; at least {quorum} of households must vote",
        rule=base,
        quorum=share_text(rule.quorum),
    )


def share_text(share: Fraction) -> Text:
    """60 % when the share is a whole or tenth percent, else the fraction (2/3)."""
    percent = share * 100
    if (percent * 10).denominator == 1:
        return t("{percent} %", percent=_number(percent))
    return t("{numerator}/{denominator}", numerator=share.numerator, denominator=share.denominator)


def _percent(count: int, base: int, threshold: Fraction) -> Text:
    """count/base as a percentage with one decimal — more when rounding would make a share
    that misses the threshold look equal to it (59.96 % is not "60.0 %")."""
    if base <= 0:
        return t("{percent} %", percent="0")
    exact = Fraction(count * 100, base)
    for decimals in (1, 2, 3):
        shown = round(float(exact), decimals)
        if (
            exact == threshold * 100
            or Fraction(shown).limit_denominator(10**decimals) != threshold * 100
        ):
            break
    return t("{percent} %", percent=f"{shown:.{decimals}f}")


def _number(value: Fraction) -> str:
    return f"{float(value):g}" if value.denominator != 1 else str(value.numerator)
