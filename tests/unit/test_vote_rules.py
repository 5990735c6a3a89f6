"""Voting rules: every number of scenario 04, the words of the result, and properties."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot import render
from bot.flows import vote_rules as rules

SIXTY_PERCENT = rules.share_of_eligible(Fraction(3, 5), rules.AT_LEAST)
MORE_THAN_HALF = rules.share_of_eligible(Fraction(1, 2), rules.MORE_THAN)


def decide(counts, electorate, rule, kind=rules.APPROVAL, labels=()):
    return rules.evaluate(tuple(counts), electorate, rule, kind, labels)


def sentence(result, language="en"):
    return render.plain(language, result.reason)


def test_seventy_of_120_fails_although_most_ballots_agree():
    result = decide((70, 10, 5), 120, SIXTY_PERCENT)
    assert not result.passed
    assert result.ballots == 85 and result.electorate == 120
    assert sentence(result) == (
        "70 of 120 households agree, 58.3 %, at least 60 % required: failed, "
        "although 70 of 85 ballots agree"
    )
    assert sentence(result, "zh_CN") == (
        "120户中70户同意，占58.3%，须达到60%以上：未通过（尽管85张选票中有70张同意）"
    )


def test_exactly_sixty_percent_passes_because_yishang_includes_it():
    result = decide((72, 0, 0), 120, SIXTY_PERCENT)
    assert result.passed and result.winner == 0
    assert sentence(result) == "72 of 120 households agree, 60.0 %, at least 60 % required: passed"
    assert sentence(result, "zh_CN") == "120户中72户同意，占60.0%，须达到60%以上：通过"


def test_seventy_one_fails():
    result = decide((71, 20, 3), 120, SIXTY_PERCENT)
    assert not result.passed
    assert sentence(result).startswith("71 of 120 households agree, 59.2 %, at least 60 % required")


def test_the_issue_sentence():
    assert (
        sentence(decide((73, 30, 2), 120, SIXTY_PERCENT))
        == "73 of 120 households agree, 60.8 %, at least 60 % required: passed"
    )


@pytest.mark.parametrize(("agree", "passed"), [(12, False), (13, True)])
def test_guobanshu_of_24_is_strict(agree, passed):
    result = decide((agree, 24 - agree, 0), 24, MORE_THAN_HALF)
    assert result.passed is passed
    assert "more than half required" in sentence(result)
    assert "须过半数" in sentence(result, "zh_CN")


def test_a_tie_of_ballots_fails():
    result = decide((8, 8, 0), 24, rules.majority_of_ballots())
    assert not result.passed
    assert (
        sentence(result) == "8 of 16 ballots agree, 50.0 %, more than half required: failed: a tie"
    )


def test_a_tie_fails_even_when_the_share_is_reached():
    result = decide((60, 60, 0), 120, rules.share_of_eligible(Fraction(1, 2), rules.AT_LEAST))
    assert not result.passed
    assert sentence(result).endswith("failed: a tie")


def test_abstentions_are_ballots_but_not_agreement():
    # 10 agree, 4 disagree, 7 abstain: 10 of 21 ballots is not more than half.
    assert not decide((10, 4, 7), 30, rules.majority_of_ballots()).passed
    assert decide((10, 4, 5), 30, rules.majority_of_ballots()).passed


def test_two_thirds_of_ballots_includes_two_thirds():
    assert decide((20, 10, 0), 100, rules.two_thirds_of_ballots()).passed
    assert not decide((19, 10, 0), 100, rules.two_thirds_of_ballots()).passed
    assert "at least two thirds" in sentence(
        decide((20, 10, 0), 100, rules.two_thirds_of_ballots())
    )


def test_quorum_not_reached_fails_and_says_so():
    result = decide((25, 0, 0), 120, rules.majority_of_ballots(quorum=Fraction(1, 2)))
    assert not result.passed
    assert sentence(result) == (
        "only 25 of 120 households voted, 20.8 %, a quorum of 50 % required: failed"
    )
    assert decide((60, 0, 0), 120, rules.majority_of_ballots(quorum=Fraction(1, 2))).passed


def test_one_of_n_names_the_leading_option_and_ties_fail():
    labels = ("东门", "西门", "北门")
    result = decide((9, 3, 2), 14, rules.majority_of_ballots(), rules.CHOICE, labels)
    assert result.passed and result.winner == 0
    assert sentence(result, "zh_CN") == "14张选票中9张选择“东门”，占64.3%，须过半数：通过"
    assert not decide((5, 5, 2), 12, rules.majority_of_ballots(), rules.CHOICE, labels).passed


def test_rounding_never_shows_a_missed_threshold_as_reached():
    # 5999 of 10000 is 59.99 %: shown with enough decimals not to read as 60.0 %.
    result = decide((5999, 0, 0), 10000, SIXTY_PERCENT)
    assert not result.passed
    assert "59.99 %" in sentence(result)


def test_no_ballots_and_no_electorate_fail():
    assert not decide((0, 0, 0), 0, SIXTY_PERCENT).passed
    assert not decide((0, 0, 0), 10, rules.majority_of_ballots()).passed


def test_rules_refuse_nonsense():
    with pytest.raises(ValueError):
        rules.Rule("plurality", Fraction(1, 2), rules.AT_LEAST)
    with pytest.raises(ValueError):
        rules.share_of_eligible(Fraction(3, 2), rules.AT_LEAST)


def test_descriptions():
    assert render.plain("zh_CN", rules.describe(SIXTY_PERCENT)) == "须全体户数达到60%以上同意"
    assert render.plain("en", rules.describe(rules.majority_of_ballots(Fraction(1, 2)))) == (
        "more than half of the ballots must agree; at least 50 % of households must vote"
    )


tallies = st.tuples(st.integers(0, 300), st.integers(0, 300), st.integers(0, 300))
shares = st.fractions(min_value=Fraction(1, 100), max_value=1).map(
    lambda f: f.limit_denominator(100)
)
comparators = st.sampled_from([rules.AT_LEAST, rules.MORE_THAN])


@given(tallies, st.integers(0, 300), shares, comparators)
def test_share_rule_is_exact_integer_comparison(counts, spare, share, comparator):
    electorate = sum(counts) + spare
    result = decide(counts, electorate, rules.share_of_eligible(share, comparator))
    agree = counts[0]
    reached = (
        agree * share.denominator >= share.numerator * electorate
        if comparator == rules.AT_LEAST
        else agree * share.denominator > share.numerator * electorate
    )
    assert result.passed == (reached and electorate > 0 and counts[0] != counts[1])


@given(tallies, st.integers(0, 300), shares, comparators)
def test_one_more_agreement_never_turns_a_pass_into_a_fail(counts, spare, share, comparator):
    electorate = sum(counts) + spare + 1
    rule = rules.share_of_eligible(share, comparator)
    before = decide(counts, electorate, rule)
    after = decide((counts[0] + 1, counts[1], counts[2]), electorate, rule)
    ties = counts[0] + 1 == counts[1]  # ties fail, whatever the share
    assert not before.passed or after.passed or ties


@given(tallies)
def test_at_least_is_never_stricter_than_more_than(counts):
    electorate = sum(counts)
    for share in (Fraction(1, 2), Fraction(3, 5), Fraction(2, 3)):
        strict = decide(counts, electorate, rules.share_of_eligible(share, rules.MORE_THAN))
        inclusive = decide(counts, electorate, rules.share_of_eligible(share, rules.AT_LEAST))
        assert not strict.passed or inclusive.passed


@given(st.integers(0, 500))
def test_ties_always_fail(n):
    assert not decide((n, n, 0), 2 * n, rules.majority_of_ballots()).passed
    assert not decide(
        (n, n, 3), 2 * n + 3, rules.share_of_eligible(Fraction(1, 100), rules.AT_LEAST)
    ).passed
