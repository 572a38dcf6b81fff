"""Normalisations: TMM on a worked example of edgeR's algorithm, spike-in factors, CPM and proportions."""

import numpy as np
import pandas as pd

from exomir.common.normalise import (
    counts_per_million,
    log2_cpm,
    normalisations,
    proportions,
    spike_in_factors,
    tmm_factors,
)


def worked_example():
    """Four samples × five miRNAs. s2 is s1 sequenced twice as deep; s3 and s4 differ from s1
    only in miR-e, which is 17,000 and 2,000 instead of 7,000."""
    return pd.DataFrame(
        {
            "s1": [200, 300, 500, 2000, 7000],
            "s2": [400, 600, 1000, 4000, 14000],
            "s3": [200, 300, 500, 2000, 17000],
            "s4": [200, 300, 500, 2000, 2000],
        },
        index=[f"miR-{letter}" for letter in "abcde"],
        dtype=float,
    )


def test_tmm_factors_follow_edger_on_the_worked_example():
    # edgeR (Robinson & Oshlack 2010) trims the 30 % most extreme M values: miR-e is trimmed,
    # and miR-a..d, equal in all samples, give M = log2((x/N_k)/(x/N_ref)). Relative to s1
    # (N = 10,000): s2 (20,000, all doubled) 1, s3 (20,000) 0.5, s4 (5,000) 2; the geometric
    # mean of 1, 1, 0.5, 2 is 1, so these are the factors.
    factors = tmm_factors(worked_example())
    assert np.allclose(factors, [1.0, 1.0, 0.5, 2.0])
    layers, table = normalisations(worked_example(), pd.Series({"s1": 10, "s2": 20, "s3": 0, "s4": 40}))
    # TMM CPM makes the unchanged miRNAs equal across samples, where plain CPM does not.
    assert np.allclose(layers["tmm_cpm"].loc["miR-a"], 20000.0)
    assert not np.allclose(layers["cpm"].loc["miR-a"], 20000.0)
    assert np.allclose(table["tmm_library_size"], [10000, 20000, 10000, 10000])


def test_spike_in_factors_use_the_geometric_mean_and_nan_without_spike_ins():
    factors = spike_in_factors(pd.Series({"s1": 10.0, "s2": 40.0, "s3": 0.0}))
    assert np.allclose(factors[["s1", "s2"]], [0.5, 2.0]) and np.isnan(factors["s3"])
    layers, table = normalisations(worked_example(), pd.Series({"s1": 10.0, "s2": 40.0, "s3": 0.0, "s4": 20.0}))
    assert np.allclose(layers["spike_in"].loc["miR-a", ["s1", "s2"]], [200 / 0.5, 400 / 2.0])
    assert layers["spike_in"]["s3"].isna().all()


def test_sample_without_counts_gets_no_tmm_factor_and_zero_cpm():
    matrix = worked_example()
    matrix["empty"] = 0.0
    layers, table = normalisations(matrix, pd.Series(0.0, index=matrix.columns))
    assert np.isnan(table.loc["empty", "tmm_factor"]) and (layers["cpm"]["empty"] == 0).all()
    assert np.allclose(table.loc[["s1", "s2", "s3", "s4"], "tmm_factor"], [1.0, 1.0, 0.5, 2.0])


def test_cpm_per_column_or_per_row_and_empty_samples_stay_zero():
    matrix = pd.DataFrame({"s1": [3.0, 1.0], "s2": [0.0, 0.0]}, index=["a", "b"])
    assert counts_per_million(matrix)["s1"].tolist() == [750000.0, 250000.0]
    assert counts_per_million(matrix)["s2"].tolist() == [0.0, 0.0]
    assert counts_per_million(matrix.T, axis=1).equals(counts_per_million(matrix).T)
    assert np.allclose(log2_cpm(matrix)["s1"], np.log2([750001.0, 250001.0]))
    assert np.allclose(proportions(matrix.to_numpy()), [[0.75, 0.0], [0.25, 0.0]])
