"""Column headers of the report's tables (MultiQC `headers`): a title, a description with the unit, and
a format that keeps the information: counts as integers, percentages as %, fractions to 3 digits.

A table's column must be listed here (or the table must name a default header), so that no raw
column name reaches the report.
"""

from collections.abc import Iterable, Mapping
from typing import Any


def count(title: str, description: str, unit: str = "reads", **more: Any) -> dict[str, Any]:
    return {"title": title, "description": f"{description} ({unit})", "format": "{:,.0f}", "min": 0, **more}


def percent(title: str, description: str, **more: Any) -> dict[str, Any]:
    return {"title": title, "description": f"{description} (%)", "format": "{:,.1f}", "suffix": " %", **more}


def fraction(title: str, description: str, **more: Any) -> dict[str, Any]:
    return {"title": title, "description": f"{description} (fraction, 0-1)", "format": "{:,.3f}", **more}


def number(title: str, description: str, digits: int = 2, **more: Any) -> dict[str, Any]:
    return {"title": title, "description": description, "format": f"{{:,.{digits}f}}", **more}


def text(title: str, description: str, **more: Any) -> dict[str, Any]:
    return {"title": title, "description": description, "scale": False, **more}


COLUMN_HEADERS = {
    # Read funnel and General Statistics
    "input_reads": count("Input reads", "Reads in the sample's FASTQ files"),
    "adapter_found": count("Adapter found", "Reads in which the kit's 3' adapter was found"),
    "length_passed": count("Length passed", "Reads whose insert is within the kit's length limits"),
    "unique_sequences": count("Unique inserts", "Distinct insert sequences kept", unit="sequences"),
    "mirna_reads": count("miRNA reads", "Reads on mature miRNAs (every read, before UMI deduplication)"),
    "mirna_percent": percent("% miRNA reads", "Per cent of the input reads on mature miRNAs", min=0, max=100),
    "umi_molecules": count("Molecules (UMI)", "Molecules after UMI deduplication; UMI kits only", unit="molecules"),
    "mirna_molecules": count(
        "miRNA molecules (UMI)", "Molecules on mature miRNAs after UMI deduplication; UMI kits only", unit="molecules"
    ),
    # Library kits
    "kit": text("Kit", "Library kit the reads were processed as (declared, or detected with 'auto')"),
    "status": text("Kit status", "ok, or a WARNING when the reads contradict the declared kit"),
    "declared": text("Declared kit", "Kit in the sample sheet ('auto': detect it from the reads)"),
    "detected": text("Detected kit", "Kit whose adapter layout fits the first reads best"),
    "support": fraction("Support", "Fraction of the inspected reads the detected kit fits"),
    "runner_up": text("Runner-up kit", "Second-best kit"),
    "runner_up_support": fraction("Runner-up support", "Fraction of the inspected reads the runner-up fits"),
    "mirna_exact": fraction(
        "Exact miRNA", "Fraction of reads whose clipped insert is exactly a known mature miRNA (tells kits apart)"
    ),
    "duplication_rate": fraction("Duplication", "1 - molecules / reads; UMI kits only"),
    "notes": text("Kit notes", "Notes of the kit detection"),
    # Sample QC
    "verdict": text("QC verdict", "pass / warn / fail; the reasons are in the sample QC table"),
    "biofluid": text("Biofluid", "Biofluid of the sample sheet"),
    "reasons": text("QC reasons", "Every check a warn or fail verdict comes from, with its figure and cut-off"),
    "hemolysis_class": text(
        "Hemolysis", "Plasma and serum: clean / moderate / hemolysed, against healthy libraries of the protocol"
    ),
    "hematuria_class": text("Hematuria", "Urine: blood class from the red-cell miRNA share (reported only)"),
    "blood_class": text("Blood", "Blood-contamination class from the red-cell marker miRNAs"),
    "hemolysis_ratio": number("Hemolysis ratio", "log2 of miR-451a / miR-23a-3p CPM"),
    "rbc_index": percent("Red-cell index", "Per cent of miRNA reads on red-cell marker miRNAs"),
    "myeloid_platelet_index": percent(
        "Myeloid/platelet index", "Per cent of miRNA reads on myeloid and platelet marker miRNAs"
    ),
    "lymphoid_index": percent("Lymphoid index", "Per cent of miRNA reads on lymphoid marker miRNAs", format="{:,.2f}"),
    "transcriptome_reads": count("Transcriptome reads", "Reads on any annotated RNA (ERCC criterion: >= 100,000)"),
    "mirnas_10_reads": count("miRNAs >= 10 reads", "Mature miRNAs with at least 10 reads", unit="miRNAs"),
    "unexplained_share": fraction(
        "Unexplained", "Share of reads on reference miRNAs the deconvolution does not explain"
    ),
    "not_checked": text("Not checked", "Checks a count table cannot have (they need reads)"),
    # Tumour origin
    "call": text("Call", "Cancer type called, indeterminate or not_called (research use only)"),
    "reason": text("Reason", "Why a sample is indeterminate or not_called"),
    "top_type": text("Top type", "Cancer type with the highest evidence"),
    "evidence": number("Evidence", "Standardised likelihood-ratio evidence of the top type", digits=1),
    "threshold": number("Threshold", "Evidence a call needs (holds the false-call rate on healthy libraries)", 1),
    "p_value": number("p-value", "Share of healthy libraries with at least this evidence", digits=3),
    "qc_verdict": text("QC verdict", "Sample QC verdict (a failed sample gets no call)"),
    "note": text("Note", "Details: the protocol that did not match, the runner-up's evidence, ..."),
    # Monitoring (exomir.monitor.series.flag_summary)
    "patient": text("Patient", "Patient of the sample sheet"),
    "timepoint": text("Timepoint", "Timepoint of the sample sheet, as given"),
    "event": text("Event", "Event of the sample sheet at this timepoint (e.g. surgery, therapy start)"),
    "top_evidence": number("Top evidence", "Tumour-origin evidence of the patient's top type at this sample", 1),
    "top_evidence_change": number("Evidence change", "Change of that evidence since the patient's previous sample", 1),
    "top_evidence_flag": text("Evidence flag", "rise / fall beyond the within-donor variation, or none"),
    "rises": count("Rises", "Quantities that rose beyond the within-donor variation", unit="quantities"),
    "falls": count("Falls", "Quantities that fell beyond the within-donor variation", unit="quantities"),
    "flagged": text("Flagged", "The quantities that rose or fell (the first sample is the reference)"),
    # Counts from a table
    "reads_on_kept_features": count("Reads on kept features", "Reads of the table on the features kept"),
    "features_10_reads": count("Features >= 10 reads", "Features with at least 10 reads", unit="features"),
}


def column_headers(
    columns: Iterable[str],
    default: Mapping[str, Any] | None = None,
    overrides: Mapping[str, Mapping[str, Any]] | None = None,
) -> dict[str, dict[str, Any]]:
    """{column: header} for MultiQC, each column in COLUMN_HEADERS, with a table's `overrides` ({column:
    fields}, where a name means something else in that table); with a `default` header, columns not
    listed get it, titled by their name (miRNAs, tissues)."""
    headers = {}
    for column in columns:
        if column in COLUMN_HEADERS:
            headers[column] = dict(COLUMN_HEADERS[column])
        elif default is not None:
            headers[column] = {"title": column, **default}
        else:
            raise KeyError(f"report column {column!r} has no header in exomir.report.headers.COLUMN_HEADERS")
        headers[column] |= (overrides or {}).get(column, {})
    return headers
