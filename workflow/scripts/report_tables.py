"""Rule report_tables: every MultiQC table of the workflow's own sections (exomir.report.tables)."""

import json
import sys

import pandas as pd

from exomir.common.stats import read_insert_stats, read_quantify_stats
from exomir.common.tables import read_sample_table
from exomir.report import tables
from exomir.report.kits import kit_table


def main(snakemake):
    sys.stderr = open(snakemake.log[0], "w", buffering=1)  # tracebacks and warnings land in the log
    inputs, samples = snakemake.input, snakemake.params.samples
    cpm = pd.read_csv(inputs.cpm, sep="\t", index_col="mirna")
    counts = pd.read_csv(inputs.counts, sep="\t", index_col="mirna")
    top = tables.top_mirnas(cpm, snakemake.params.top_number).T
    top.index.name = "sample"
    qc = read_sample_table(inputs.qc)
    built = {
        "top": top,
        "sample_qc": tables.sample_qc_shown(qc),
        "tumour_origin": tables.tumour_origin_shown(read_sample_table(inputs.calls, index=False)),
        "deconvolution": tables.deconvolution_shares(read_sample_table(inputs.deconvolution)),
        "signature_scores": tables.signature_rank_scores(read_sample_table(inputs.scores, index=False)),
        "pca": tables.pca_plot(counts, pd.DataFrame(snakemake.params.sheet).set_index("sample")),
        "correlation": tables.sample_correlation(counts),
    }
    imported = None
    if inputs.imported:  # counts from a table: no read sections
        with open(inputs.imported) as handle:
            imported = json.load(handle)
        built["imported"] = tables.imported_counts(qc)
        built["general"] = tables.general_statistics(qc, None)
    else:
        insert_stats = [read_insert_stats(path) for path in inputs.inserts]
        quantify_stats = [read_quantify_stats(path) for path in inputs.quantify]
        features = pd.read_csv(inputs.features, sep="\t", index_col=[0, 1, 2], keep_default_na=False)
        built |= {
            "funnel": tables.read_funnel(samples, insert_stats, quantify_stats),
            "lengths": tables.line_plot(tables.insert_length_shares(samples, insert_stats)),
            "kits": kit_table(samples, inputs.kits, inputs.inserts),
            "biotypes": tables.biotype_reads(pd.read_csv(inputs.biotypes, sep="\t", index_col="biotype")),
            "trna": tables.trna_fragments(features, samples),
        }
        built["general"] = tables.general_statistics(qc, built["funnel"])
    written = snakemake.output.keys()
    left_out = [name for name in tables.sections(snakemake.params.top_number) if name not in written]
    for name, section in tables.sections(snakemake.params.top_number, imported, left_out).items():
        if name in written:
            table = built[name]
            if isinstance(table, dict):  # a plot's data and settings
                tables.write_mqc_json(table, snakemake.output[name], **section)
                continue
            tables.write_mqc_table(table, snakemake.output[name], **section, **tables.table_settings(name, table))
            print(f"{name}: {table.shape[0]} rows x {table.shape[1]} columns", file=sys.stderr)
    if left_out:
        left_out_text = ", ".join([*left_out, "bowtie", "mirtop"])
        print(f"not produced from a count table (they need reads): {left_out_text}", file=sys.stderr)


if "snakemake" in globals():  # run by Snakemake's `script:` directive
    main(snakemake)  # noqa: F821
