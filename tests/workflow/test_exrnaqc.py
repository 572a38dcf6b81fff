"""End to end on the three real exRNAQC017 samples, against the published counts."""

import json

import numpy as np
import pandas as pd
from scipy.stats import spearmanr

from exomir.common.fasta import accession_names, read_fasta
from exomir.devtools.runs import REPO, SHARED_DATA

PUBLISHED = SHARED_DATA / "expected" / "exRNAQC017" / "allmiRs_subs.txt"


def accession_of_name():
    names = accession_names(REPO / "resources" / "mirbase-v22-hsa" / "mature.fa")
    return {name: accession for accession, name in names.items()}


def test_mir_486_5p_is_the_top_mirna_in_every_sample(exrnaqc_run):
    counts = pd.read_csv(exrnaqc_run / "results" / "counts" / "mirna_counts.tsv", sep="\t", index_col="mirna")
    assert list(counts.columns) == ["RNA014937", "RNA014938", "RNA014939"]
    assert set(counts.idxmax()) == {"hsa-miR-486-5p"}


def test_counts_correlate_with_published_counts(exrnaqc_run):
    counts = pd.read_csv(exrnaqc_run / "results" / "counts" / "mirna_counts.tsv", sep="\t", index_col="mirna")
    counts.index = counts.index.map(accession_of_name())
    published = pd.read_csv(PUBLISHED, sep="\t", index_col="MIMATID")
    for sample in counts.columns:
        top50 = published[sample].dropna().nlargest(50).index
        rho = spearmanr(counts[sample].reindex(top50).fillna(0), published.loc[top50, sample]).correlation
        print(f"{sample}: Spearman rho = {rho:.3f} on the 50 most abundant published miRNAs")
        assert rho >= 0.85


def test_cpm_sums_to_a_million_and_h5ad_has_layers(exrnaqc_run):
    import anndata

    cpm = pd.read_csv(exrnaqc_run / "results" / "counts" / "mirna_cpm.tsv", sep="\t", index_col="mirna")
    assert ((cpm.sum() - 1e6).abs() < 0.1).all()
    adata = anndata.read_h5ad(exrnaqc_run / "results" / "counts" / "mirna.h5ad")
    assert adata.shape == (3, cpm.shape[0])
    assert set(adata.layers) == {"counts", "cpm", "tmm_cpm", "spike_in", "canonical", "isomir"}
    assert np.allclose(adata.layers["canonical"] + adata.layers["isomir"], adata.layers["counts"])
    assert adata.obs.loc["RNA014939", "biofluid"] == "plasma"
    assert adata.var.loc["hsa-miR-486-5p", "accession"] == "MIMAT0002177"


def test_multiqc_report_has_bowtie_funnel_and_insert_lengths(exrnaqc_run):
    html = (exrnaqc_run / "results" / "report" / "multiqc_report.html").read_text()
    for section in ("bowtie1", "exomir_read_funnel", "exomir_insert_lengths", "exomir_top_mirnas"):
        assert f'id="{section}"' in html or f"id='{section}'" in html, section
    funnel = pd.read_csv(
        exrnaqc_run / "results" / "report" / "tables" / "read_funnel_mqc.tsv", sep="\t", comment="#", index_col=0
    )
    assert (funnel["input_reads"] == 10000).all()
    stages = ["input_reads", "adapter_found", "length_passed", "unique_sequences"]
    assert (funnel[stages].diff(axis=1).iloc[:, 1:] <= 0).all().all()
    assert (funnel["mirna_reads"] <= funnel["length_passed"]).all()
    plot = json.loads((exrnaqc_run / "results" / "report" / "tables" / "insert_lengths_mqc.json").read_text())
    lengths = pd.DataFrame({sample: dict(map(tuple, pairs)) for sample, pairs in plot["data"].items()}).T
    assert list(lengths.columns) == list(range(len(lengths.columns)))  # from 0 nt, in order
    assert lengths.sum(axis=1).round(1).eq(100).all()
    # miRNAs dominate these plasma and serum libraries: 22 nt is the most common insert length.
    assert (lengths.idxmax(axis=1).astype(int) == 22).all()


def test_hairpin_reference_keeps_only_the_species(exrnaqc_run):
    hairpins = read_fasta(exrnaqc_run / "results" / "references" / "hairpins.fa")
    assert len(hairpins) == 1917
    assert all(name.startswith("hsa-") for name in hairpins)
