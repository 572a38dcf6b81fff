"""Biofluid-aware QC per sample: blood in the sample (hemolysis in plasma and serum, hematuria in urine),
blood-cell contamination, the ERCC exRNA criteria, biofluid checks, miRNA complexity, and a verdict
(pass / warn / fail) with the reasons that drove it.

Every threshold comes from the config (`qc` section); config/README.md and the schema give their sources.
Hemolysis is judged on the read scale against healthy libraries of the sample's protocol (exomir.qc.blood).

Counts from a table (no reads) get the checks that need no reads: hemolysis, hematuria, blood-cell indices,
miRNA complexity, outliers and the miRNA reads of urine and saliva; the others are named in the
`not_checked` column. Marker miRNAs are found in counts of either feature level through exomir.counts.features.
"""

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from exomir.common.markers import BLOOD_COMPONENTS, component_markers, hemolysis_pair
from exomir.common.normalise import counts_per_million
from exomir.counts.features import FeatureLookup
from exomir.qc.blood import (
    HEMOLYSIS_BIOFLUIDS,
    JUDGED_INDICES,
    MAD_SCALE,
    MIN_MARKER_READS,
    hematuria_class,
    hemolysis_judgement,
    reference_row,
)

OUTLIER_METRICS = ["hemolysis_ratio", *(component.qc_index for component in BLOOD_COMPONENTS)]
# Biotypes of the annotation cascade that are not the human transcriptome.
NOT_TRANSCRIPTOME = {"spike_in", "artifact", "genome", "unassigned"}
COMPLEXITY_MIN_READS = 10
# "pass": a finding reported without changing the verdict (hematuria is the patient's, not the sample's fault).
SEVERITY = {"pass": 0, "warn": 1, "fail": 2}
# The human annotation sets that, with the miRNAs, explain a library's human reads without a genome.
HUMAN_SETS = ("trna", "rrna", "ncrna")
# The columns of read_metrics, in its order.
READ_METRICS = [
    "input_reads",
    "short_insert_share",
    "mirna_reads",
    "transcriptome_reads",
    "genome_only_reads",
    "transcriptome_genome_ratio",
    "unexplained_share",
    "kit",
    "kit_support",
    "kit_warnings",
]


def read_metrics(
    collapse_stats: Mapping[str, Any], quantify_stats: Mapping[str, Any], kit: Mapping[str, Any]
) -> dict[str, Any]:
    """Read-level metrics of one sample from its insert and quantification stats and its kit decision
    (results/inserts/<sample>.kit.json): the kit used, the share of reads it fits, its warnings."""
    biotype_reads = quantify_stats["biotype_reads"]
    transcriptome = sum(reads for biotype, reads in biotype_reads.items() if biotype not in NOT_TRANSCRIPTOME)
    genome_only = biotype_reads.get("genome", 0.0)
    endogenous_total = quantify_stats["reads"] - biotype_reads.get("spike_in", 0.0)
    return {
        "input_reads": collapse_stats["input_reads"],
        "short_insert_share": collapse_stats["too_short"] / max(collapse_stats["trimmed_reads"], 1),
        "mirna_reads": biotype_reads.get("miRNA", 0.0),
        "transcriptome_reads": transcriptome,
        "genome_only_reads": genome_only,
        # exceRpt's ratio: transcriptome reads over all genome-mapped (endogenous) reads; annotated
        # transcripts lie in the genome, and the cascade aligns to the genome only what they leave.
        "transcriptome_genome_ratio": transcriptome / (transcriptome + genome_only) if transcriptome else 0.0,
        "unexplained_share": biotype_reads.get("unassigned", 0.0) / endogenous_total if endogenous_total else np.nan,
        "kit": kit["kit"],
        "kit_support": kit["kit_support"],
        "kit_warnings": "; ".join(kit["warnings"]),
    }


def marker_metrics(counts: pd.DataFrame, markers: pd.DataFrame, features: FeatureLookup | None = None) -> pd.DataFrame:
    """Hemolysis ratio, contamination indices and complexity per sample from miRNA counts (samples × features).

    Hemolysis: log2((CPM numerator + 1) / (CPM denominator + 1)), the pair given by the marker table's roles
    (miR-451a over miR-23a-3p in human), the read analogue of the qPCR ratio of Blondal 2013, with the
    denominator's reads (`hemolysis_reference_reads`: the ratio is measured from MIN_MARKER_READS on).
    Indices: percent of miRNA reads on each marker set; `rbc_log2_odds` the red-cell index as log2 odds
    of red-cell over other miRNA reads. Marker miRNAs are looked up through `features` (precursor-level
    counts: their precursors); complexity counts features."""
    features = features or FeatureLookup()
    cpm = counts_per_million(counts, axis=1)
    numerator, denominator = hemolysis_pair(markers)

    def level(mirnas: list[str], table: pd.DataFrame = cpm) -> pd.Series:
        return table[features.features_of(mirnas, table.columns)].sum(axis=1)

    metrics = pd.DataFrame(index=counts.index)
    metrics["hemolysis_ratio"] = np.log2((level([numerator]) + 1) / (level([denominator]) + 1))
    metrics["hemolysis_reference_reads"] = level([denominator], counts)
    for component in BLOOD_COMPONENTS:
        metrics[component.qc_index] = level(component_markers(markers, component)) / 1e4  # per cent of miRNA reads
    red_cells = metrics["rbc_index"] * 1e4  # CPM
    metrics["rbc_log2_odds"] = np.log2((red_cells + 1) / (1e6 - red_cells + 1))
    metrics["mirnas_10_reads"] = (counts >= COMPLEXITY_MIN_READS).sum(axis=1)
    return metrics


def judged_indices(metrics: pd.DataFrame) -> pd.DataFrame:
    """The indices judged against the healthy reference (exomir.qc.blood.JUDGED_INDICES); the hemolysis
    ratio empty where its denominator has fewer than MIN_MARKER_READS reads."""
    judged = metrics[list(JUDGED_INDICES)].copy()
    judged.loc[metrics["hemolysis_reference_reads"] < MIN_MARKER_READS, "hemolysis_ratio"] = np.nan
    return judged


def counts_only_metrics(counts: pd.DataFrame) -> pd.DataFrame:
    """The read-metric columns of samples counted from a table (samples × features): its miRNA reads, and
    no value where a metric needs reads."""
    table = pd.DataFrame(np.nan, index=counts.index, columns=READ_METRICS)
    table["mirna_reads"] = counts.sum(axis=1)
    table["kit"] = ""
    table["kit_warnings"] = ""
    return table


def not_checked(biofluid: str, genome_configured: bool) -> str:
    """The checks of a sample that need reads, which counts from a table cannot have."""
    checks = ["transcriptome reads (ERCC exRNA criterion)"]
    if genome_configured:
        checks.append("transcriptome/genome ratio (ERCC exRNA criterion)")
    checks.append("library kit")
    if biofluid == "saliva":
        checks.append("non-human share (saliva)")
    if biofluid == "urine":
        checks.append("share of short inserts (urine)")
    return "no reads (counts from a table): " + ", ".join(checks)


def modified_z(values: pd.Series) -> pd.Series:
    """Iglewicz-Hoaglin modified z-scores; with MAD = 0 the mean absolute deviation (× 1.2533, its ratio to the
    SD for normal data) stands in, and with no spread at all every score is 0."""
    deviation = values - values.median()
    mad = deviation.abs().median()
    if mad > 0:
        return MAD_SCALE * deviation / mad
    mean_absolute = deviation.abs().mean()
    return deviation / (1.2533 * mean_absolute) if mean_absolute > 0 else deviation * 0.0


def cohort_outliers(
    metrics: pd.DataFrame, biofluids: pd.Series, batches: pd.Series | None, min_samples: int
) -> pd.DataFrame:
    """Modified z per outlier metric within each biofluid × batch (or the biofluid's samples when none of
    its batches has `min_samples`); biofluids are never pooled; NaN where the group is too small to judge."""
    scores = pd.DataFrame(np.nan, index=metrics.index, columns=OUTLIER_METRICS)
    if batches is None:
        batches = pd.Series("", index=metrics.index)
    batches = batches.astype(object).fillna("").astype(str)
    for _, of_biofluid in biofluids.groupby(biofluids.astype(str)):
        groups = batches.loc[of_biofluid.index]
        if not (groups.value_counts() >= min_samples).any():
            groups = pd.Series("", index=of_biofluid.index)
        for _, members in groups.groupby(groups):
            if len(members) >= min_samples:
                for metric in OUTLIER_METRICS:
                    scores.loc[members.index, metric] = modified_z(metrics.loc[members.index, metric])
    return scores


def blood_in_samples(
    table: pd.DataFrame, samples: pd.DataFrame, reference: pd.DataFrame | None, config: Mapping[str, Any]
) -> pd.DataFrame:
    """Per sample: hemolysis class (plasma, serum) with the modified z of each judged index against its
    healthy reference and that reference's name, hematuria class (urine), and the findings, each
    (severity, reason). Other biofluids get neither class."""
    judged = judged_indices(table)
    columns = ["hemolysis_class", *(f"{index}_healthy_z" for index in JUDGED_INDICES), "blood_reference"]
    rows = {}
    for sample in table.index:
        biofluid = table.loc[sample, "biofluid"]
        row: dict[str, Any] = {"hemolysis_class": "", "hematuria_class": "", "blood_reference": "", "findings": []}
        if biofluid in HEMOLYSIS_BIOFLUIDS:
            group = None if reference is None else reference_row(reference, samples.loc[sample])
            row["hemolysis_class"], scores, reasons = hemolysis_judgement(
                judged.loc[sample], group, config["hemolysis"]
            )
            row.update({f"{index}_healthy_z": score for index, score in scores.items()})
            row["blood_reference"] = "" if group is None else group["reference"]
            row["findings"] = [("warn", f"hemolysed: {reason}") for reason in reasons]
        elif biofluid == "urine":
            limits = config["hematuria"]
            found = hematuria_class(table.loc[sample, "rbc_index"], limits)
            row["hematuria_class"] = found
            if found in ("possible", "hematuria"):
                limit = limits["high" if found == "hematuria" else "possible"]
                row["findings"] = [
                    (
                        "pass",
                        f"blood in urine ({'possible ' if found == 'possible' else ''}hematuria): red-cell miRNAs "
                        f"{table.loc[sample, 'rbc_index']:.1f} % of miRNA reads > {limit:g} %; a finding to report "
                        "(a sign of bladder or kidney disease), and blood miRNAs enter the profile",
                    )
                ]
        rows[sample] = row
    return pd.DataFrame.from_dict(rows, orient="index").reindex(columns=[*columns, "hematuria_class", "findings"])


def judge(
    row: pd.Series,
    biofluid: str,
    outlier_scores: pd.Series,
    config: Mapping[str, Any],
    genome_configured: bool,
    reads: bool = True,
    blood_findings: Sequence[tuple[str, str]] = (),
) -> tuple[str, str]:
    """(verdict, reasons) of one sample from its metrics, the config thresholds and the findings of
    blood in the sample (blood_findings); without `reads` (counts from a table) from the checks that need none."""
    findings = list(blood_findings)

    def below(value: float, limits: Mapping[str, float], what: str, citation: str, fmt: str = "{:,.0f}") -> None:
        for severity in ("fail", "warn"):
            limit = limits.get(f"{severity}_below")
            if limit is not None and value < limit:
                findings.append((severity, f"{what} {fmt.format(value)} < {fmt.format(limit)}{citation}"))
                return

    def above(value: float, limits: Mapping[str, float], what: str, citation: str, fmt: str = "{:.2f}") -> None:
        for severity in ("fail", "warn"):
            limit = limits.get(f"{severity}_above")
            if limit is not None and value > limit:
                findings.append((severity, f"{what} {fmt.format(value)} > {fmt.format(limit)}{citation}"))
                return

    if reads:
        below(
            row["transcriptome_reads"], config["transcriptome_reads"], "transcriptome reads", " (ERCC exRNA criterion)"
        )
    if reads and genome_configured:
        below(
            row["transcriptome_genome_ratio"],
            config["transcriptome_genome_ratio"],
            "transcriptome/genome ratio",
            " (ERCC exRNA criterion)",
            "{:.2f}",
        )
    below(row["mirnas_10_reads"], config["mirnas_10_reads"], "miRNAs with >= 10 reads", "")
    if reads and row["kit_warnings"]:
        # A kit that fits too few reads trims the library wrongly: its counts cannot be trusted.
        severity = "fail" if row["kit_support"] < config["kit_min_fraction"] else "warn"
        findings.append((severity, f"library kit {row['kit']}: {row['kit_warnings']}"))
    for metric, score in outlier_scores.items():
        if score > config["outliers"]["modified_z"]:
            findings.append(("warn", f"{metric} {row[metric]:.2f} is a cohort outlier (modified z {score:.1f})"))
    if biofluid == "saliva":
        below(row["mirna_reads"], config["saliva_mirna_reads"], "human miRNA reads", " (saliva)")
        if reads and pd.isna(row["non_human_share"]):
            findings.append(
                (
                    "pass",
                    "non-human share not judged: no genome and not every human annotation set "
                    f"({', '.join(HUMAN_SETS)}) configured, so their reads would count as non-human",
                )
            )
        elif reads:
            above(
                row["non_human_share"],
                config["saliva_non_human_share"],
                "non-human share",
                " (saliva: reads no human annotation explains, mostly microbial; healthy saliva has about 76 % "
                "microbial reads, Tong 2023)",
            )
    if biofluid == "urine":
        low_input = config["urine_low_input"]
        if row["mirna_reads"] < low_input["mirna_reads_below"]:
            findings.append(
                (
                    "warn",
                    f"low input (urine): {row['mirna_reads']:,.0f} miRNA reads < {low_input['mirna_reads_below']:,}",
                )
            )
        if reads and row["short_insert_share"] > low_input["short_insert_share_above"]:
            findings.append(
                (
                    "warn",
                    f"low input (urine): {row['short_insert_share']:.2f} of reads are adapter "
                    f"dimers or short inserts > {low_input['short_insert_share_above']}",
                )
            )
    verdict = max((severity for severity, _ in findings), key=SEVERITY.get, default="pass")
    return verdict, "; ".join(reason for _, reason in findings)


def sample_qc(
    samples: pd.DataFrame,
    counts: pd.DataFrame,
    read_table: pd.DataFrame | None,
    markers: pd.DataFrame,
    config: Mapping[str, Any],
    genome_configured: bool,
    features: FeatureLookup | None = None,
    reference: pd.DataFrame | None = None,
    annotated: Sequence[str] = HUMAN_SETS,
) -> pd.DataFrame:
    """The QC table: one row per sample with metrics, outlier scores, verdict and reasons.

    `read_table` None: counts from a table, judged by the checks that need no reads; a `not_checked`
    column names the others. `features`: where marker miRNAs are in `counts` (default: mature level).
    `reference`: the healthy blood-index reference (exomir.qc.blood; None: hemolysis not judged).
    `annotated`: the annotation sets configured (of HUMAN_SETS, the saliva non-human share needs all)."""
    reads = read_table is not None
    table = (read_table if reads else counts_only_metrics(counts)).join(marker_metrics(counts, markers, features))
    table.insert(0, "biofluid", samples["biofluid"].astype(str))
    if not genome_configured:  # without genome-mapped reads the ratio would always read 1
        table["transcriptome_genome_ratio"] = np.nan
    # Without a genome, tRNA/rRNA/ncRNA reads are explained only by their annotation sets.
    human_complete = genome_configured or set(HUMAN_SETS) <= set(annotated)
    table["non_human_share"] = pd.to_numeric(table["unexplained_share"]) if human_complete else np.nan
    blood = blood_in_samples(table, samples, reference, config)
    table = table.join(blood.drop(columns="findings"))
    # A ratio whose denominator has too few reads is no measurement, of hemolysis or of an outlier.
    measured = table.assign(hemolysis_ratio=judged_indices(table)["hemolysis_ratio"])
    outliers = cohort_outliers(measured, table["biofluid"], samples.get("batch"), config["outliers"]["min_samples"])
    judged = [
        judge(
            table.loc[sample],
            table.loc[sample, "biofluid"],
            outliers.loc[sample].dropna(),
            config,
            genome_configured,
            reads,
            blood.loc[sample, "findings"],
        )
        for sample in table.index
    ]
    table["verdict"] = [verdict for verdict, _ in judged]
    table["reasons"] = [reasons for _, reasons in judged]
    if not reads:
        table["not_checked"] = [not_checked(biofluid, genome_configured) for biofluid in table["biofluid"]]
    table = table.join(outliers.add_suffix("_modified_z"))
    table.index.name = "sample"
    return table
