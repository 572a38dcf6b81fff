import numpy as np
import pandas as pd
import yaml

from exomir.devtools.runs import REPO
from exomir.qc.sample_qc import read_metrics, sample_qc

CONFIG = yaml.safe_load((REPO / "config" / "config.yaml").read_text())["qc"]

THRESHOLDS = {key: value for key, value in CONFIG.items() if key != "markers"}

MARKERS = pd.read_csv(REPO / "resources" / "signatures" / "background_markers.tsv", sep="\t")


def biotype_stats(reads=200_000, mirna=150_000, unassigned=10_000, genome=0, spike_in=0):
    other = reads - mirna - unassigned - genome - spike_in
    return {
        "reads": reads,
        "biotype_reads": {
            "spike_in": spike_in,
            "miRNA": mirna,
            "tRNA": other,
            "genome": genome,
            "unassigned": unassigned,
        },
    }


def collapse_stats(input_reads=250_000, trimmed=210_000, too_short=10_000):
    return {"input_reads": input_reads, "trimmed_reads": trimmed, "too_short": too_short}


def cohort_counts(n_samples=6, seed=0):
    """Plasma-like counts: 300 miRNAs plus the marker miRNAs, miR-451a about 16x miR-23a-3p (ratio 4)."""
    rng = np.random.default_rng(seed)
    mirnas = [f"hsa-miR-x{i}" for i in range(300)] + list(MARKERS["mirna"])
    means = pd.Series(rng.lognormal(3, 1.5, len(mirnas)), index=mirnas)
    means["hsa-miR-23a-3p"] = 200
    means["hsa-miR-451a"] = 3200
    return pd.DataFrame(
        rng.poisson(np.tile(means.to_numpy(), (n_samples, 1))),
        columns=mirnas,
        index=[f"s{i}" for i in range(n_samples)],
    )


def run_qc(counts, biofluids, stats=None, genome_configured=False, batch=None, thresholds=THRESHOLDS):
    samples = pd.DataFrame({"biofluid": biofluids}, index=counts.index)
    if batch is not None:
        samples["batch"] = batch
    reads = pd.DataFrame(
        {sample: read_metrics(collapse_stats(), (stats or {}).get(sample, biotype_stats())) for sample in counts.index}
    ).T
    return sample_qc(samples, counts, reads, MARKERS, thresholds, genome_configured)


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
