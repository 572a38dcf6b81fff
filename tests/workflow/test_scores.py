import pandas as pd
import yaml

from exomir.devtools.runs import REPO, SHARED_DATA

REFERENCE = SHARED_DATA / "scoring" / "tissue-atlas-miRTS" / "Signature_matrix.csv"

TISSUES = yaml.safe_load((REPO / "config" / "config.yaml").read_text())["score"]["tissues"]

MARKERS = pd.read_csv(REPO / "resources" / "signatures" / "background_markers.tsv", sep="\t")


def test_real_exrnaqc_samples_are_mostly_red_cells(exrnaqc_run):
    table = pd.read_csv(exrnaqc_run / "results" / "scores" / "deconvolution.tsv", sep="\t", index_col="sample")
    print(table.round(3).to_string())
    assert list(table.index) == ["RNA014937", "RNA014938", "RNA014939"]
    assert (table["red_cells"] > 0.6).all()
    tissues = table[TISSUES].sum(axis=1)
    assert (tissues < 0.1).all()  # healthy serum/plasma: little solid-tissue signal
    assert (table["fit_r2"] > 0.7).all()
