"""The report's read funnel, insert lengths, General Statistics columns and table headers."""

import json

import numpy as np
import pandas as pd
import pytest

from exomir.report.headers import column_headers
from exomir.report.mirtop_stats import block_metrics
from exomir.report.tables import (
    general_statistics,
    insert_length_shares,
    line_plot,
    pca_plot,
    read_funnel,
    sample_correlation,
    sample_log_cpm,
    write_mqc_table,
)
from exomir.scores.scored import component_colours


def collapse_stats(umi=None):
    return {
        "input_reads": 20000,
        "adapter_found": 19000,
        "length_passed": 18000,
        "unique_sequences": 1500,
        "trimmed_lengths": {"0": 500, "22": 1500},
        "umi": umi,
    }


def quantify_stats(reads, molecules):
    return {"biotype_reads": {"miRNA": reads}, "mirna_molecules": molecules}


def test_funnel_reports_reads_and_molecules_separately():
    funnel = read_funnel(
        ["plain", "umi"],
        [collapse_stats(), collapse_stats({"molecules": 6567})],
        [quantify_stats(18985, 18985), quantify_stats(18979, 6201)],
    )
    # Reads on miRNAs are reads for every kit: 18,979 of 20,000 for the UMI kit, not its 6,201 molecules.
    assert funnel.loc["umi", ["mirna_reads", "mirna_percent"]].tolist() == [18979, 94.9]
    assert funnel.loc["umi", ["umi_molecules", "mirna_molecules"]].tolist() == [6567, 6201]
    assert funnel.loc["plain", ["umi_molecules", "mirna_molecules"]].isna().all()


def test_insert_lengths_start_at_0_nt_so_dimers_show():
    shares = insert_length_shares(["s"], [collapse_stats()])
    assert list(shares.columns) == list(range(23))
    assert shares.loc["s", 0] == 25.0 and shares.loc["s", 22] == 75.0 and shares.loc["s", 1:21].eq(0).all()


def test_general_statistics_come_from_the_qc_table_and_funnel():
    qc = pd.DataFrame(
        {
            "input_reads": [20000, 0],
            "mirna_reads": [18946, 0],
            "verdict": ["warn", "fail"],
            "kit": ["truseq", "qiaseq"],
            "hemolysis_class": ["hemolysed", "clean"],
            "reasons": ["x", "y"],
        },
        index=pd.Index(["a", "b"], name="sample"),
    )
    funnel = pd.DataFrame({"unique_sequences": [3239, 0]}, index=["a", "b"])
    shown = general_statistics(qc, funnel)
    assert list(shown.columns) == [
        "input_reads",
        "mirna_percent",
        "unique_sequences",
        "verdict",
        "kit",
        "hemolysis_class",
    ]
    assert shown.loc["a"].tolist() == [20000, 94.73, 3239, "warn", "truseq", "hemolysed"]
    assert pd.isna(shown.loc["b", "mirna_percent"])


def test_every_column_gets_a_title_and_a_format_and_unknown_ones_fail():
    headers = column_headers(["input_reads", "support", "mirna_percent"])
    assert headers["input_reads"]["format"] == "{:,.0f}" and headers["support"]["format"] == "{:,.3f}"
    assert headers["mirna_percent"]["suffix"] == " %"
    assert all(header["title"] and header["description"] for header in headers.values())
    with pytest.raises(KeyError, match="mirna_exact_share"):
        column_headers(["mirna_exact_share"])
    assert column_headers(["hsa-miR-16-5p"], {"format": "{:,.1f}"})["hsa-miR-16-5p"]["title"] == "hsa-miR-16-5p"


def test_mqc_table_header_is_yaml_multiqc_reads(tmp_path):
    import yaml

    table = pd.DataFrame({"input_reads": [1], "note": ['a "quoted": note']}, index=pd.Index(["s"], name="sample"))
    path = tmp_path / "t_mqc.tsv"
    write_mqc_table(table, path, "x", "X", "d: with a colon", header_overrides={"note": {"title": "N"}})
    header = yaml.safe_load("\n".join(line[2:] for line in path.read_text().splitlines() if line.startswith("# ")))
    assert header["description"] == "d: with a colon" and header["headers"]["note"]["title"] == "N"
    assert header["headers"]["input_reads"]["title"] == "Input reads"


def test_mirtop_log_takes_each_value_from_its_own_block():
    # mirtop 0.4.30 pads the count and mean blocks with isomiR_sum 0 (and the sum block with ref_miRNA_mean 0).
    table = [
        "# mirtop stats version 0.4.30",
        ",category,sample,counts",
        "0,isomiR_sum,s,4165.0",
        "1,ref_miRNA_sum,s,14903.0",
        "2,ref_miRNA_mean,s,0.0",
        "0,isomiR_count,s,1950.0",
        "1,isomiR_sum,s,0.0",
        "0,ref_miRNA_mean,s,49.2",
        "1,isomiR_sum,s,0.0",
    ]
    assert block_metrics(table) == {
        "s": {"isomiR_sum": 4165.0, "ref_miRNA_sum": 14903.0, "isomiR_count": 1950.0, "ref_miRNA_mean": 49.2}
    }


def test_deconvolution_colours_are_the_figures():
    colours = component_colours(["red_cell_markers", "liver", "other tissues", "unexplained"])
    assert colours["red_cell_markers"] == "#b2182b" and colours["unexplained"] == "#bbbbbb"
    assert colours["liver"] == "#aec7e8"  # tab20's second colour, the liver bar's position
    assert json.dumps(colours)  # plain strings, as the report's header needs


def test_pca_separates_the_odd_sample_and_colours_by_the_sheet():
    cpm = pd.DataFrame(
        {"a": [1000.0, 10.0, 100.0], "b": [1100.0, 12.0, 90.0], "c": [10.0, 1000.0, 100.0]},
        index=["miR-1", "miR-2", "miR-3"],
    )
    sheet = pd.DataFrame({"biofluid": ["plasma", "plasma", "urine"], "batch": ["b1", None, "b1"]}, index=list("abc"))
    plot = pca_plot(cpm, sheet)
    by_biofluid, by_batch = plot["data"]
    x = {sample: point["x"] for sample, point in by_biofluid.items()}
    assert abs(x["a"] - x["b"]) < 0.1 * abs(x["a"] - x["c"])  # PC1 separates c from the two alike
    assert by_biofluid["a"]["color"] == by_biofluid["b"]["color"] != by_biofluid["c"]["color"]
    assert by_batch["b"]["group"] == "batch: not given"
    assert plot["colour_key"] == "Colours: biofluid: plasma blue, urine orange; batch: b1 blue, not given orange."
    assert "%" not in plot["pconfig"]["xlab"] and float(plot["pconfig"]["xlab"].split()[1]) > 90
    correlation = sample_correlation(cpm)
    assert correlation.loc["a", "b"] > 0.9 > correlation.loc["a", "c"] and correlation.loc["c", "c"] == 1.0


def test_sample_views_leave_out_mirnas_seen_in_few_libraries():
    shared = pd.DataFrame({sample: [5000.0, 800.0, 120.0, 40.0] for sample in "abcd"}, index=["m1", "m2", "m3", "m4"])
    shared.loc["m3", "d"] = 60.0
    singletons = pd.DataFrame(
        np.diag([3.0] * 4) * np.arange(1, 5), index=[f"s{k}" for k in range(4)], columns=list("abcd")
    )
    counts = pd.concat([shared, singletons])
    assert sample_log_cpm(counts).index.tolist() == ["m1", "m2", "m3", "m4"]
    assert (sample_correlation(counts).to_numpy() > 0.9).all()
    # Over every detected miRNA the libraries' own singletons would anti-correlate them.
    detected = np.log2(counts.div(counts.sum()) * 1e6 + 1)
    assert detected.corr().loc["a", "b"] < sample_correlation(counts).loc["a", "b"] - 0.05


def test_line_plot_points_keep_numeric_order():
    shares = insert_length_shares(["s"], [collapse_stats()])
    points = line_plot(shares)["data"]["s"]
    assert [x for x, _ in points] == list(range(23))  # 2 before 10, as MultiQC's TSV reading would not
    assert points[0] == [0, 25.0] and json.dumps(points)
