"""Sample QC on the real exRNAQC017 samples (the shared exRNAQC run)."""

import pandas as pd


def test_real_exrnaqc_samples_warn_for_depth_only(exrnaqc_run):
    table = pd.read_csv(
        exrnaqc_run / "results" / "qc" / "sample_qc.tsv",
        sep="\t",
        index_col="sample",
        keep_default_na=False,
        na_values=[""],
    )
    print(table[["verdict", "reasons", "hemolysis_ratio", "rbc_index", "mirnas_10_reads"]].to_string())
    assert set(table["verdict"]) <= {"pass", "warn"}
    for sample, row in table.iterrows():
        # 10,000-read subsamples of healthy serum/plasma: shallow, otherwise clean
        assert "(ERCC exRNA criterion)" in row["reasons"], sample
        assert "hemolysis" not in row["reasons"] and row["hemolysis_class"] == "clean"
        assert 50 < row["rbc_index"] < 95  # miR-486-5p, miR-451a, miR-16, miR-92a dominate serum/plasma
    html = (exrnaqc_run / "results" / "report" / "multiqc_report.html").read_text()
    for section in ("exomir_sample_qc", "exomir_tumour_origin", "exomir_deconvolution", "exomir_signature_scores"):
        assert f'id="{section}"' in html or f"id='{section}'" in html, section
    assert "RESEARCH USE ONLY" in html
