import numpy as np
import pandas as pd
import pytest

from exomir.references.tcga_atlas import build_atlas, cancer_types, held_out, load_tcga, rename_precursors, sample_kinds


def write_tcga(tmp_path, rpm_rows, sample_rows):
    rpm = tmp_path / "rpm.tsv"
    samples = tmp_path / "samples.tsv"
    pd.DataFrame(rpm_rows).to_csv(rpm, sep="\t", index=False)
    pd.DataFrame(sample_rows, columns=["barcode", "cohort", "sample_type_code", "patient"]).to_csv(
        samples, sep="\t", index=False
    )
    return rpm, samples


def test_load_checks_the_two_tables_agree(tmp_path):
    rpm, samples = write_tcga(
        tmp_path,
        [
            {"barcode": "A-01", "cohort": "LIHC", "hsa-mir-122": 10.0},
            {"barcode": "B-01", "cohort": "BRCA", "hsa-mir-122": 1.0},
        ],
        [("A-01", "LIHC", "01", "A"), ("B-01", "LUAD", "01", "B")],
    )
    with pytest.raises(ValueError, match=rf"{rpm}: cohort differs from {samples} for B-01"):
        load_tcga(rpm, samples)


def test_renamed_columns_of_two_platforms_are_summed():
    rpm = pd.DataFrame({"hsa-mir-203": [5.0, 0.0], "hsa-mir-203a": [0.0, 7.0], "hsa-mir-1274a": [1.0, 1.0]})
    renames = pd.DataFrame({"tcga_name": ["hsa-mir-203"], "mirbase_v22_name": ["hsa-mir-203a"]})
    renamed, dropped = rename_precursors(rpm, renames, {"hsa-mir-203a"})
    assert renamed["hsa-mir-203a"].tolist() == [5.0, 7.0]
    assert dropped == ["hsa-mir-1274a"]


def test_hold_out_is_by_patient_stable_and_near_the_fraction():
    patients = pd.Series([f"TCGA-{i:05d}" for i in range(4000)])
    first = held_out(patients, 0.2, seed=1)
    assert first.equals(held_out(patients[::-1], 0.2, seed=1)[::-1])
    assert 0.18 < first.mean() < 0.22
    assert not first.equals(held_out(patients, 0.2, seed=2))


def test_types_kinds_and_prototypes():
    cohorts = pd.Series(["COAD", "READ", "LIHC"])
    assert cancer_types(cohorts, {"COADREAD": ["COAD", "READ"]}).tolist() == ["COADREAD", "COADREAD", "LIHC"]
    assert sample_kinds(pd.Series(["1", "11", "06"]), ["01"], ["11"]).tolist() == ["tumour", "normal", "other"]

    rng = np.random.default_rng(0)
    groups = [f"g{i}" for i in range(20)]
    # two tumour subtypes of X (g0 or g1 high), normals of X, and too few tumours of Y
    rows, types, kinds = [], [], []
    for subtype in (0, 1):
        for _ in range(30):
            profile = rng.gamma(5, 1, 20)
            profile[subtype] *= 50
            rows.append(profile), types.append("X"), kinds.append("tumour")
    for _ in range(8):
        rows.append(rng.gamma(5, 1, 20)), types.append("X"), kinds.append("normal")
    for _ in range(5):
        rows.append(rng.gamma(5, 1, 20)), types.append("Y"), kinds.append("tumour")
    table = pd.DataFrame(rows, columns=groups)
    profiles, info, contrasts = build_atlas(
        table,
        pd.Series(types),
        pd.Series(kinds),
        n_prototypes=2,
        min_tumours=20,
        min_normals=5,
        min_aliquots=10,
        seed=1,
    )
    assert info["cancer_type"].unique().tolist() == ["X"]
    tumour_profiles = profiles[info.loc[info["kind"] == "tumour", "profile"]]
    assert sorted(tumour_profiles.idxmax().tolist()) == ["g0", "g1"]  # one prototype per subtype
    assert sorted(info.loc[info["kind"] == "tumour", "n_aliquots"]) == [30, 30]
    assert info.loc[info["kind"] == "normal", "n_aliquots"].tolist() == [8]
    assert contrasts.set_index("group").loc["g0", "log2_fold_change"] > 3
