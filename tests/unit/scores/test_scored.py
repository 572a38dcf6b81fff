"""The scored AnnData's tables: score matrices and the stacked shares of the deconvolution figure."""

import numpy as np
import pandas as pd

from exomir.scores.scored import score_matrices, stacked_shares


def test_minor_tissues_are_pooled_and_blood_comes_first():
    deconvolution = pd.DataFrame(
        {
            "liver": [0.05, 0.0],
            "lung": [0.004, 0.002],
            "skin": [0.0, 0.003],
            "red_cells": [0.8, 0.9],
            "lymphocytes": [0.01, 0.0],
            "unexplained": [0.136, 0.095],
            "fit_r2": [0.9, 0.8],
            "fit_log_pearson": [0.7, 0.6],
            "reference_reads_share": [0.8, 0.8],
        },
        index=["a", "b"],
    )
    shares = stacked_shares(deconvolution)
    assert list(shares.columns) == ["red_cells", "lymphocytes", "liver", "other tissues", "unexplained"]
    assert shares.loc["a", "other tissues"] == 0.004 and shares.loc["b", "other tissues"] == 0.005
    assert np.allclose(shares.sum(axis=1), [1.0, 1.0])


def test_score_matrices_pivot_each_method():
    scores = pd.DataFrame(
        {
            "sample": ["a", "b", "a", "b"],
            "signature": ["S"] * 4,
            "method": ["rank_single_sample"] * 2 + ["scanpy_cohort"] * 2,
            "score": [0.1, 0.2, 0.3, 0.4],
        }
    )
    matrices = score_matrices(scores)
    assert matrices["scanpy_cohort"].loc["b", "S"] == 0.4
