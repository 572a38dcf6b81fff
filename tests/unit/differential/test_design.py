"""Contrasts against the sample sheet, and the choice of design."""

import pandas as pd

from exomir.differential.design import CASE, CONTROL, Contrast, choose_design, contrast_problems, group_samples

CONDITIONS = pd.Series(
    ["healthy"] * 4 + ["prostate cancer"] * 3 + ["colorectal cancer"], index=[f"s{index}" for index in range(8)]
)


def test_unknown_conditions_overlaps_and_small_groups_are_named_with_their_contrast():
    contrasts = [
        Contrast("ok", ("prostate cancer",), ("healthy",)),
        Contrast("typo", ("prostate",), ("healthy",)),
        Contrast("both", ("healthy",), ("healthy", "prostate cancer")),
        Contrast("small", ("colorectal cancer",), ("healthy",)),
    ]
    problems = contrast_problems(contrasts, CONDITIONS, 2)
    assert not [problem for problem in problems if "'ok'" in problem]
    assert any("'typo': case condition 'prostate' is no condition of the sample sheet" in p for p in problems)
    assert any("'typo': the case group (prostate) has 0 sample(s)" in p for p in problems)
    assert any("'both': condition 'healthy' is in both case and control" in p for p in problems)
    assert any("'small': the case group (colorectal cancer) has 1 sample(s), fewer than the 2" in p for p in problems)


def test_groups_pool_the_conditions_of_each_side():
    groups = group_samples(Contrast("any", ("prostate cancer", "colorectal cancer"), ("healthy",)), CONDITIONS)
    assert list(groups) == [CONTROL] * 4 + [CASE] * 4


def test_the_batch_is_used_when_it_varies_within_the_groups():
    groups = pd.Series([CASE, CASE, CONTROL, CONTROL, CASE, CONTROL], index=list("abcdef"))
    assert choose_design(groups, pd.Series(["1", "2", "1", "2", "1", "2"], index=list("abcdef"))).uses_batch
    constant = choose_design(groups, pd.Series("1", index=list("abcdef")))
    assert constant.formula == "~ condition" and not constant.warning
    assert choose_design(groups, pd.Series(dtype=str)).formula == "~ condition"


def test_a_fully_confounded_batch_is_left_out_with_a_warning():
    groups = pd.Series([CASE, CASE, CASE, CONTROL, CONTROL, CONTROL], index=list("abcdef"))
    design = choose_design(groups, pd.Series(["x", "x", "y", "z", "z", "w"], index=list("abcdef")))
    assert design.formula == "~ condition" and "fully confounded" in design.warning and "4 batches" in design.warning
    # one mixed batch is enough to estimate both
    partly = choose_design(groups, pd.Series(["x", "x", "y", "y", "z", "z"], index=list("abcdef")))
    assert partly.formula == "~ batch + condition"
    missing = choose_design(groups, pd.Series(["x", "", "y", "y", "x", "x"], index=list("abcdef")))
    assert missing.formula == "~ condition" and "1 sample(s) of the contrast have no batch" in missing.warning
