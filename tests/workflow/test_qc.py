"""Sample QC on the real exRNAQC017 samples (the shared exRNAQC run): hemolysis judged on the read scale
against the healthy libraries of their protocol, as their published full-depth counts are judged."""

import pandas as pd
import yaml

from exomir.common.markers import load_markers
from exomir.devtools.runs import REPO, SHARED_DATA
from exomir.qc.blood import hemolysis_judgement, load_reference, reference_row
from exomir.qc.healthy import library_metrics
from exomir.qc.sample_qc import judged_indices

QC = yaml.safe_load((REPO / "config" / "config.yaml").read_text())["qc"]


def published_judgement(samples: pd.DataFrame) -> pd.DataFrame:
    """The QC's judgement of the published full-depth counts of the same libraries."""
    data = SHARED_DATA / "expected" / "exRNAQC017"
    metrics, _ = library_metrics(
        data / "allmiRs_subs.txt",
        data / "Annotation_exRNAQC017.tsv",
        REPO / "resources" / "mirbase-v22-hsa" / "mature.fa",
        load_markers(REPO / QC["markers"]),
    )
    indices = judged_indices(metrics)
    reference = load_reference(REPO / QC["blood_reference"])
    rows = {}
    for sample, row in samples.iterrows():
        group = reference_row(reference, row)
        call, scores, _ = hemolysis_judgement(indices.loc[sample], group, QC["hemolysis"])
        z = {f"{index}_healthy_z": score for index, score in scores.items()}
        rows[sample] = {"call": call, "reference": group["reference"], **z} | metrics.loc[sample].to_dict()
    return pd.DataFrame.from_dict(rows, orient="index")


def test_real_exrnaqc_samples_are_judged_against_their_protocol(exrnaqc_run):
    table = pd.read_csv(
        exrnaqc_run / "results" / "qc" / "sample_qc.tsv",
        sep="\t",
        index_col="sample",
        keep_default_na=False,
        na_values=[""],
    )
    columns = ["verdict", "reasons", "hemolysis_class", "blood_reference", "hemolysis_ratio", "rbc_log2_odds"]
    print(table[columns + ["rbc_log2_odds_healthy_z", "hemolysis_reference_reads"]].to_string())
    full = published_judgement(table.assign(rna_isolation="miRNeasySPAkit"))
    print(full.to_string())
    # The sheet states biofluid and RNA isolation kit, not the tube: serum, and plasma of either tube.
    assert table["blood_reference"].tolist() == [
        "15 healthy exRNAQC017 serum miRNeasySPAkit libraries",
        "15 healthy exRNAQC017 serum miRNeasySPAkit libraries",
        "30 healthy exRNAQC017 plasma miRNeasySPAkit libraries",
    ]
    assert table["blood_reference"].tolist() == full["reference"].tolist()
    # 10,000-read subsamples: a handful of miR-23a-3p reads, too few for the ratio to be judged
    assert (table["hemolysis_reference_reads"] < 10).all() and table["hemolysis_ratio_healthy_z"].isna().all()
    assert (full["hemolysis_reference_reads"] >= 10).all()  # at full depth it is
    # judged on the red-cell odds alone, within the healthy range, as the full libraries are on both indices
    assert (table["rbc_log2_odds_healthy_z"].abs() < 2.0).all()
    assert table["hemolysis_class"].tolist() == full["call"].tolist() == ["clean"] * 3
    assert (full["hemolysis_ratio"].round(2) == [3.24, 2.69, 5.76]).all()  # RNA014939: "moderate" by Shah's ΔCq 5
    for sample, row in table.iterrows():
        assert row["verdict"] == "warn" and "(ERCC exRNA criterion)" in row["reasons"], sample
        assert "hemolys" not in row["reasons"], sample
    html = (exrnaqc_run / "results" / "report" / "multiqc_report.html").read_text()
    for section in ("exomir_sample_qc", "exomir_tumour_origin", "exomir_deconvolution", "exomir_signature_scores"):
        assert f'id="{section}"' in html or f"id='{section}'" in html, section
    assert "RESEARCH USE ONLY" in html
