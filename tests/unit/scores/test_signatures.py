import importlib.util
import math
import sys
from types import SimpleNamespace

import anndata
import numpy as np
import pandas as pd
import pytest

from exomir.common.fasta import read_fasta
from exomir.devtools.runs import REPO  # noqa: E402
from exomir.scores.signatures import (
    baseline_biofluids,
    cohort_log_cpm,
    load_signatures,
    log2_tmm_cpm,
    scanpy_cohort_score,
    score_signatures,
    single_sample_rank_score,
)

CURATED = REPO / "resources" / "signatures" / "literature_signatures.tsv"
HEADER = "signature\tcancer_type\tbiofluid\tmirna\tdirection\tweight\tcitation\tflag\n"


def make_adata(counts):
    """Samples × miRNAs AnnData shaped like results/counts/mirna.h5ad."""
    cpm = counts.div(counts.sum(axis=1).where(lambda total: total > 0, 1.0), axis=0) * 1e6
    adata = anndata.AnnData(
        X=counts.to_numpy(dtype=float), obs=pd.DataFrame(index=counts.index), var=pd.DataFrame(index=counts.columns)
    )
    adata.layers["counts"] = counts.to_numpy(dtype=float)
    adata.layers["cpm"] = cpm.to_numpy(dtype=float)
    return adata


def signature_table(rows):
    """Signature DataFrame from (signature, mirna, direction, flag) tuples."""
    return pd.DataFrame(
        [(name, "x", "plasma", mirna, direction, 1.0, "Someone 2020", flag) for name, mirna, direction, flag in rows],
        columns=HEADER.strip().split("\t"),
    )


def simulated_cohort(n_per_group=4, n_mirnas=200, fold=8.0, seed=1):
    """Counts for controls and cases; cases raise miR-0..4 and lower miR-5..7 by `fold`."""
    rng = np.random.default_rng(seed)
    mirnas = [f"miR-{i}" for i in range(n_mirnas)]
    baseline = rng.lognormal(mean=4, sigma=1.5, size=n_mirnas)
    samples = [f"control{i}" for i in range(n_per_group)] + [f"case{i}" for i in range(n_per_group)]
    means = np.tile(baseline, (len(samples), 1))
    means[n_per_group:, :5] *= fold
    means[n_per_group:, 5:8] /= fold
    return pd.DataFrame(rng.poisson(means), index=samples, columns=mirnas)


# single-sample rank score ---------------------------------------------------------------------------------------


def test_rank_score_by_hand():
    expression = pd.Series({"a": 10.0, "b": 20.0, "c": 30.0, "d": 40.0, "e": 50.0})
    # ranks a..e = 1..5; up {d, e}: mean rank 4.5 = its maximum -> +0.5; down {a}: rank 1 = its minimum -> -0.5
    top = single_sample_rank_score(expression, up=["e", "d"], down=["a"])
    assert top == pytest.approx(1.0)
    # same miRNAs with the order reversed: the up set is the least expressed
    bottom = single_sample_rank_score(pd.Series(expression.to_numpy()[::-1], index=expression.index), ["e", "d"], ["a"])
    assert bottom == pytest.approx(-1.0)
    assert top > bottom
    # up {b, d}: mean rank 3 halfway between 1.5 and 4.5 -> 0
    assert single_sample_rank_score(expression, up=["b", "d"], down=[]) == pytest.approx(0.0)


def test_rank_score_averages_ties_puts_undetected_last_and_ignores_absent_mirnas():
    expression = pd.Series({"a": 0.0, "b": 0.0, "c": 5.0, "d": 5.0, "e": 7.0})  # ranks 1, 1, 3.5, 3.5, 5
    up_only = single_sample_rank_score(expression, up=["c", "absent"], down=[])
    assert up_only == pytest.approx((3.5 - 1) / (5 - 1) - 0.5)
    assert (up_only.n_up, up_only.n_down) == (1, 0)
    down_only = single_sample_rank_score(expression, up=["absent"], down=["a"])
    assert down_only == pytest.approx(0.5)  # undetected: the lowest rank, the strongest "down"
    assert (down_only.n_up, down_only.n_down) == (0, 1)
    # an undetected miRNA keeps the lowest rank however many miRNAs a deeper or shallower library misses
    shallow = pd.concat([expression, pd.Series(0.0, index=[f"z{i}" for i in range(50)])])
    assert single_sample_rank_score(shallow, up=["a"], down=[]) == pytest.approx(-0.5)
    assert single_sample_rank_score(expression, up=["a", "b"], down=[]) == pytest.approx(-0.5)  # clipped


def test_rank_score_without_any_found_mirna_is_nan():
    score = single_sample_rank_score(pd.Series({"a": 1.0, "b": 2.0}), up=["x"], down=["y"])
    assert math.isnan(score)
    assert (score.n_up, score.n_down) == (0, 0)


# scoring an AnnData ---------------------------------------------------------------------------------------------


def test_batch_of_one_sample_is_scored_over_the_whole_universe():
    counts = simulated_cohort().iloc[[-1]]  # one case sample
    counts.loc[:, "miR-9"] = 0  # undetected: ranked as zero, the lowest, not dropped
    signatures = signature_table(
        [("S", "miR-0", "up", ""), ("S", "miR-1", "up", ""), ("S", "miR-5", "down", ""), ("S", "miR-9", "down", "")]
    )
    scores = score_signatures(make_adata(counts), signatures).set_index("method")
    assert len(scores) == 2
    cpm = counts.iloc[0] / counts.iloc[0].sum() * 1e6
    expected = single_sample_rank_score(cpm, ["miR-0", "miR-1"], ["miR-5", "miR-9"])
    assert scores.loc["rank_single_sample", "score"] == pytest.approx(expected)
    assert scores.loc["rank_single_sample", ["n_up", "n_down"]].tolist() == [2, 2]
    # the undetected down miRNA is evidence for the signature: dropping it would lower the score
    assert expected > single_sample_rank_score(cpm[cpm > 0], ["miR-0", "miR-1"], ["miR-5"])
    assert np.isfinite(scores.loc["scanpy_cohort", "score"])
    assert scores.loc["scanpy_cohort", ["n_up", "n_down"]].tolist() == [2, 1]


def test_rank_score_weights_by_hand():
    expression = pd.Series({"a": 10.0, "b": 20.0, "c": 30.0, "d": 40.0, "e": 50.0})  # ranks 1..5
    # up {a: 1, e: 0.25}: weighted mean rank (1 + 0.25*5)/1.25 = 1.8; bounds: heaviest on rank 1, the other
    # on 2 -> (1 + 0.25*2)/1.25 = 1.2; heaviest on rank 5 -> (5 + 0.25*4)/1.25 = 4.8; (1.8 - 1.2)/3.6 - 0.5
    weighted = single_sample_rank_score(expression, up=pd.Series({"a": 1.0, "e": 0.25}), down=[])
    assert weighted == pytest.approx((1.8 - 1.2) / 3.6 - 0.5)
    # equal weights are the unweighted score
    assert single_sample_rank_score(expression, pd.Series({"a": 0.5, "e": 0.5}), []) == pytest.approx(
        single_sample_rank_score(expression, ["a", "e"], [])
    )
    # the heavier miRNA decides the sign
    assert single_sample_rank_score(expression, pd.Series({"a": 0.25, "e": 1.0}), []) > 0 > weighted


def test_cohort_score_separates_raised_group():
    counts = simulated_cohort()
    up = [f"miR-{i}" for i in range(5)]
    down = [f"miR-{i}" for i in range(5, 8)]
    score, n_up, n_down = scanpy_cohort_score(cohort_log_cpm(make_adata(counts)), up, down)
    assert (n_up, n_down) == (5, 3)
    cases, controls = score[score.index.str.startswith("case")], score[score.index.str.startswith("control")]
    assert cases.min() > controls.max()
    again, _, _ = scanpy_cohort_score(cohort_log_cpm(make_adata(counts)), up, down)
    pd.testing.assert_series_equal(score, again)  # control miRNAs are drawn deterministically


def test_score_table_has_both_methods_nan_for_missing_and_flag_counts():
    counts = simulated_cohort()
    signatures = signature_table(
        [
            ("raised", "miR-0", "up", "pan_cancer"),
            ("raised", "miR-1", "up", ""),
            ("raised", "miR-5", "down", "blood_cell"),
            ("raised", "hsa-miR-not-measured", "up", "blood_cell"),
            ("absent", "hsa-miR-not-measured", "up", ""),
            ("absent", "hsa-miR-also-not", "down", ""),
        ]
    )
    scores = score_signatures(make_adata(counts), signatures)
    assert list(scores.columns) == ["sample", "signature", "method", "score", "n_up", "n_down", "n_flagged"]
    assert len(scores) == len(counts) * 2 * 2
    absent = scores[scores["signature"] == "absent"]
    assert absent["score"].isna().all()
    assert (absent[["n_up", "n_down", "n_flagged"]] == 0).all().all()
    raised = scores[scores["signature"] == "raised"]
    assert (raised[["n_up", "n_down", "n_flagged"]] == [2, 1, 2]).all().all()
    for method, group in raised.groupby("method"):
        by_sample = group.set_index("sample")["score"]
        assert by_sample.filter(like="case").min() > by_sample.filter(like="control").max(), method


def test_signature_covering_the_whole_universe_has_no_score():
    counts = pd.DataFrame({"a": [5, 9], "b": [7, 3], "c": [0, 0]}, index=["s1", "s2"])
    signatures = signature_table([("all", "a", "up", ""), ("all", "b", "up", ""), ("all", "c", "up", "")])
    with pytest.warns(UserWarning, match="no cohort score"):
        scores = score_signatures(make_adata(counts), signatures)
    assert scores["score"].isna().all()  # no rank position and no control miRNA left
    assert (scores["n_up"] == [3, 3, 2, 2]).all()  # ranks over the universe; scanpy over detected miRNAs
    # without the undetected c, a and b rank above it: the highest possible position
    partial = score_signatures(make_adata(counts), signatures.iloc[:2]).query("method == 'rank_single_sample'")
    assert (partial["score"] == 0.5).all()


def load_rule_script(name):
    spec = importlib.util.spec_from_file_location(name, REPO / "workflow" / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_rule_script_writes_scores_and_leaves_nothing_on_bad_input(tmp_path, monkeypatch):
    main = load_rule_script("score_signatures").main
    monkeypatch.setattr(sys, "stderr", sys.stderr)  # main() sends stderr to its log file
    h5ad = tmp_path / "mirna.h5ad"
    adata = make_adata(simulated_cohort())
    adata.obs["biofluid"] = ["plasma"] * 4 + ["urine"] * 4  # the baseline stands for plasma and serum only
    adata.write_h5ad(h5ad)
    good = tmp_path / "good.tsv"
    good.write_text(HEADER + "S\tx\tplasma\tmiR-0\tup\t1\tSomeone 2020\t\n")
    bad = tmp_path / "bad.tsv"
    bad.write_text(HEADER + "S\tx\tplasma\tmiR-0\tpanel\t1\tSomeone 2020\t\n")

    baseline = tmp_path / "baseline.tsv"
    simulated_cohort(seed=2).T.rename_axis("mirna").to_csv(baseline, sep="\t")

    def run(signatures, output):
        main(
            SimpleNamespace(
                input=SimpleNamespace(
                    h5ad=str(h5ad), signatures=str(signatures), baseline=str(baseline), baseline_libraries=[]
                ),
                params=SimpleNamespace(min_cohort_healthy=3, reference_biofluids=["plasma", "serum"]),
                output=SimpleNamespace(scores=str(output)),
                log=[str(tmp_path / "score.log")],
            )
        )

    run(good, tmp_path / "scores.tsv")
    written = pd.read_csv(tmp_path / "scores.tsv", sep="\t")
    assert written.shape == (20, 7)
    zscored = written.loc[written["method"] == "zscore_reference_baseline", "sample"]
    assert sorted(zscored) == ["control0", "control1", "control2", "control3"]
    assert set(written["method"]) == {"rank_single_sample", "scanpy_cohort", "zscore_reference_baseline"}
    assert "8 samples x 200 miRNAs, 1 signatures" in (tmp_path / "score.log").read_text()
    with pytest.raises(ValueError):
        run(bad, tmp_path / "not_written.tsv")
    assert sorted(path.name for path in tmp_path.iterdir()) == [
        "bad.tsv",
        "baseline.tsv",
        "good.tsv",
        "mirna.h5ad",
        "score.log",
        "scores.tsv",
    ]


# z-scores against healthy samples --------------------------------------------------------------------------------


def test_zscores_use_cohort_controls_leaving_each_control_out():
    counts = simulated_cohort()
    adata = make_adata(counts)
    adata.obs["condition"] = ["healthy"] * 4 + ["cancer"] * 4
    signatures = signature_table([("S", "miR-0", "up", ""), ("S", "miR-1", "up", ""), ("S", "miR-5", "down", "")])
    scores = score_signatures(adata, signatures, baseline=None, min_cohort_healthy=3)
    zscores = scores[scores["method"] == "zscore_cohort_healthy"].set_index("sample")["score"]
    assert len(zscores) == 8
    # cases raise miR-0/1 and lower miR-5 8-fold: 3 log2 units, many healthy SDs
    assert zscores.filter(like="case").min() > 5 > zscores.filter(like="control").abs().max()
    # by hand on log2(TMM-CPM + 1): a case against the four controls, a control against the three others
    values = log2_tmm_cpm(counts.T)
    for sample, controls in (
        ("case0", ["control0", "control1", "control2", "control3"]),
        ("control0", ["control1", "control2", "control3"]),
    ):
        reference = values[controls]
        z = (values[sample] - reference.mean(axis=1)) / reference.std(axis=1, ddof=1).clip(lower=0.25)
        assert zscores[sample] == pytest.approx((z["miR-0"] + z["miR-1"]) / 2 - z["miR-5"]), sample
    # z-scored against itself, a control would look closer to the healthy mean than it is
    with_itself = values[["control0", "control1", "control2", "control3"]]
    z_self = (values["control0"] - with_itself.mean(axis=1)) / with_itself.std(axis=1, ddof=1).clip(lower=0.25)
    assert zscores["control0"] != pytest.approx((z_self["miR-0"] + z_self["miR-1"]) / 2 - z_self["miR-5"])


def test_zscores_are_per_biofluid():
    """Healthy plasma and healthy urine in one cohort: each sample meets only its own biofluid's healthy
    samples; urine with too few healthy samples and no urine baseline gets no z-score."""
    counts = pd.concat([simulated_cohort(seed=1), simulated_cohort(seed=4).add_prefix("u_", axis=0)])
    counts.loc[counts.index.str.startswith("u_"), "miR-30"] *= 16  # urine differs from plasma in miR-30
    adata = make_adata(counts)
    adata.obs["condition"] = (["healthy"] * 4 + ["cancer"] * 4) + (["healthy"] * 2 + ["cancer"] * 6)
    adata.obs["biofluid"] = ["plasma"] * 8 + ["urine"] * 8
    signatures = signature_table([("S", "miR-30", "up", "")])
    baseline = simulated_cohort(seed=5).T.add_prefix("donor_")
    plasma_only = {"plasma": list(baseline.columns)}
    scores = score_signatures(adata, signatures, baseline, min_cohort_healthy=3, baseline_biofluids=plasma_only)
    z = scores[scores["method"].str.startswith("zscore")].set_index("sample")
    assert set(z.index) == set(counts.index[:8])  # no urine reference: no urine z-score
    assert (z["method"] == "zscore_cohort_healthy").all()
    assert z["score"].abs().max() < 4  # plasma is not judged against urine's raised miR-30
    pooled = score_signatures(adata, signatures, baseline, min_cohort_healthy=3)  # baseline stands for all
    urine = pooled[pooled["sample"].str.startswith("u_") & (pooled["method"] == "zscore_reference_baseline")]
    assert len(urine) == 8 and (urine["score"] > 3).all()


def test_zscores_weight_their_mirnas():
    counts = simulated_cohort()
    adata = make_adata(counts)
    adata.obs["condition"] = ["healthy"] * 4 + ["cancer"] * 4
    rows = [("S", "miR-0", "up", ""), ("S", "miR-20", "up", "")]
    table = signature_table(rows).assign(weight=[1.0, 0.25])
    weighted = score_signatures(adata, table).query("method == 'zscore_cohort_healthy'")["score"].to_numpy()
    one = score_signatures(adata, signature_table(rows[:1])).query("method == 'zscore_cohort_healthy'")
    other = score_signatures(adata, signature_table(rows[1:])).query("method == 'zscore_cohort_healthy'")
    expected = (one["score"].to_numpy() + 0.25 * other["score"].to_numpy()) / 1.25
    assert weighted == pytest.approx(expected)


def test_one_dominant_mirna_does_not_swamp_the_zscores():
    """A case whose only change is 30x more of its most abundant miRNA (red-cell miR-486-5p in hemolysed
    plasma): plain CPM would lower every other miRNA by log2 of its shrinking share; TMM does not."""
    counts = simulated_cohort(n_per_group=6, fold=1.0, seed=7)
    dominant = counts.mean().idxmax()
    counts.loc["case0", dominant] *= 30
    adata = make_adata(counts)
    adata.obs["condition"] = ["healthy"] * 6 + ["cancer"] * 6
    others = [mirna for mirna in counts.columns[:40] if mirna != dominant]
    signature = signature_table([("S", mirna, "up", "") for mirna in others])
    z = score_signatures(adata, signature).query("method == 'zscore_cohort_healthy'").set_index("sample")["score"]
    share = counts.loc["case0", dominant] / counts.loc["case0"].sum()
    assert share > 0.5  # the shift plain CPM would impose: log2(1 - share) < -1 on every other miRNA
    assert abs(z["case0"]) < 1.0


def test_zscores_fall_back_to_the_baseline_and_count_missing_mirnas_as_zero():
    baseline = simulated_cohort(seed=3).iloc[:4].T  # miRNAs × libraries
    baseline.columns = [f"donor{i}" for i in range(4)]
    abundant = baseline.mean(axis=1).idxmax()
    adata = make_adata(simulated_cohort().drop(columns=abundant))  # never seen in this cohort
    adata.obs["condition"] = ["healthy"] * 2 + ["unknown"] * 6
    signatures = signature_table([("S", abundant, "up", "")])
    scores = score_signatures(adata, signatures, baseline=baseline, min_cohort_healthy=3)
    zscores = scores[scores["method"] == "zscore_reference_baseline"]
    assert len(zscores) == 8 and (zscores["n_up"] == 1).all()
    assert (zscores["score"] < -3).all()  # zero counts against a baseline that has miR-1
    assert "zscore_cohort_healthy" not in set(scores["method"])


def test_baseline_biofluids_from_the_library_table_or_the_declared_biofluids(tmp_path):
    libraries = pd.Index(["L1", "L2", "L3"])
    table = tmp_path / "libraries.tsv"
    table.write_text("library\tbiofluid\nL1\tplasma\nL2\tSerum\nL3\tplasma\nL9\turine\n")
    assert baseline_biofluids(libraries, table, ["plasma"]) == {"plasma": ["L1", "L3"], "serum": ["L2"]}
    assert baseline_biofluids(libraries, None, ["plasma", "serum"]) == {
        "plasma": list(libraries),
        "serum": list(libraries),
    }
    table.write_text("library\tkit\nL1\ttruseq\n")
    with pytest.raises(ValueError, match=rf"{table}: missing column\(s\) biofluid"):
        baseline_biofluids(libraries, table, [])


# signature tables -----------------------------------------------------------------------------------------------


def test_curated_table_is_valid_and_flags_known_confounders():
    table = load_signatures(CURATED)
    assert set(table["direction"]) == {"up", "down"}
    assert (table["citation"].str.strip() != "").all()
    assert table["signature"].nunique() >= 10
    mature = set(read_fasta(REPO / "resources" / "mirbase-v22-hsa" / "mature.fa"))
    assert set(table["mirna"]) <= mature, set(table["mirna"]) - mature
    flags = table.groupby("mirna")["flag"].agg(set)
    for mirna in ("hsa-miR-21-5p", "hsa-miR-1246"):
        assert flags[mirna] == {"pan_cancer"}
    background = pd.read_csv(REPO / "resources" / "signatures" / "background_markers.tsv", sep="\t")
    blood_cell = set(background.loc[background["marker_set"].isin(["RBC", "MYELOID", "LYMPHOID", "PLATELET"]), "mirna"])
    assert blood_cell & set(flags.index)
    for mirna in blood_cell & set(flags.index):
        assert "" not in flags[mirna], f"{mirna} is a blood-cell marker but not flagged"


def test_bad_direction_names_file_and_line(tmp_path):
    path = tmp_path / "signatures.tsv"
    good_row, bad_row = "S\tx\tplasma\thsa-miR-1\tup\t1\tA 2020\t\n", "S\tx\tplasma\thsa-miR-2\tpanel\t0.5\tA\t\n"
    path.write_text(HEADER + good_row + bad_row)
    with pytest.raises(ValueError, match=rf"{path}: line 3 \(S hsa-miR-2\): direction 'panel'"):
        load_signatures(path)


def test_missing_citation_names_line(tmp_path):
    path = tmp_path / "signatures.tsv"
    path.write_text(HEADER + "S\tx\tplasma\thsa-miR-1\tdown\t1\t\t\n")
    with pytest.raises(ValueError, match=r"line 2 \(S hsa-miR-1\): missing citation"):
        load_signatures(path)


def test_precursor_counts_are_scored_through_the_precursors_of_the_signature_mirnas():
    """Counts per precursor (mir-i) and a signature of matures (hsa-miR-i-5p, -3p): each mature is scored by
    its precursor, both arms of one precursor once, exactly as a signature naming the precursors."""
    counts = simulated_cohort()
    precursors = {f"miR-{i}": f"mir-{i}" for i in range(counts.shape[1])}
    counts = counts.rename(columns=precursors)
    matures = [f"hsa-miR-{i}-{arm}" for i in range(counts.shape[1]) for arm in ("5p", "3p")]
    pairs = pd.DataFrame({"mirna": matures, "precursor": [f"mir-{mature.split('-')[2]}" for mature in matures]})
    adata = make_adata(counts)
    adata.uns["feature_level"] = "precursor"
    adata.uns["mature_precursors"] = {"mirna": list(pairs["mirna"]), "precursor": list(pairs["precursor"])}
    by_mature = signature_table(
        [
            ("raised", "hsa-miR-0-5p", "up", ""),
            ("raised", "hsa-miR-0-3p", "up", ""),
            ("raised", "hsa-miR-1-5p", "up", ""),
            ("raised", "hsa-miR-5-3p", "down", ""),
            ("raised", "hsa-miR-unknown", "down", ""),
        ]
    )
    by_precursor = signature_table(
        [("raised", "mir-0", "up", ""), ("raised", "mir-1", "up", ""), ("raised", "mir-5", "down", "")]
    )
    scored = score_signatures(adata, by_mature)
    assert (scored[["n_up", "n_down"]] == [2, 1]).all().all()
    adata.uns["feature_level"] = "mature"
    expected = score_signatures(adata, by_precursor)
    pd.testing.assert_frame_equal(scored, expected)
