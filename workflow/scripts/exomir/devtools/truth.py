"""Score quantification against the truth of simulated reads (exomir.devtools.reads).

The scores the quantification is held to (README, "Quantification", accuracy):
- recall: true miRNA reads counted on their own miRNA (per miRNA at most its true reads),
  over all true miRNA reads;
- pearson_log2_cpm: Pearson correlation of log2(CPM + 1), counted against true, over the
  miRNAs with at least `min_true_reads` true reads;
- absent_share: share of all miRNA counts that fall on miRNAs absent from the truth;
- fragments_on_mirna: reads of tRNA, rRNA, Y RNA (any non-miRNA, non-random biotype) whose
  insert was counted on a mature miRNA, found by joining each read's observed insert to the
  insert table of quantify_mirnas.py.
Matures with identical sequences (hsa-miR-548aj-5p, -548g-5p and -548x-5p, for example) are
one unit for scoring, since no read can tell them apart (their reads are split 1/N, and the
split is reported). Scores are given over all simulated miRNAs and over the identifiable
ones: a mature that lies wholly inside a tRNA/rRNA (results/references/shadowed_matures.tsv)
cannot be told from a fragment of it, and its reads are given that biotype by design.
"""

import os
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import pearsonr

MIN_TRUE_READS = 10


def identical_sequence_units(mature_sequences: Mapping[str, str]) -> dict[str, str]:
    """{mature name: scoring unit}: the names of all matures sharing its sequence, joined by '/'."""
    names_by_sequence = {}
    for name, sequence in mature_sequences.items():
        names_by_sequence.setdefault(sequence, []).append(name)
    return {name: "/".join(sorted(names)) for names in names_by_sequence.values() for name in names}


def mirna_scores(
    true_reads: pd.Series, counted_reads: pd.Series, min_true_reads: int = MIN_TRUE_READS
) -> dict[str, float]:
    """Recall, Pearson of log2 CPM and absent share from two {miRNA or unit: reads} Series."""
    recovered = counted_reads.reindex(true_reads.index).fillna(0).clip(upper=true_reads).sum()
    absent = counted_reads[~counted_reads.index.isin(true_reads.index)].sum()
    covered = true_reads[true_reads >= min_true_reads].index
    true_cpm = true_reads / true_reads.sum() * 1e6
    counted_cpm = counted_reads / counted_reads.sum() * 1e6
    pearson = pearsonr(np.log2(true_cpm[covered] + 1), np.log2(counted_cpm.reindex(covered).fillna(0) + 1))[0]
    return {
        "recall": float(recovered / true_reads.sum()),
        "pearson_log2_cpm": float(pearson),
        "mirnas_compared": int(len(covered)),
        "absent_share": float(absent / counted_reads.sum()),
    }


def fragments_on_mirna(
    truth: pd.DataFrame, observed_inserts: Sequence[str] | pd.Series, inserts: pd.DataFrame
) -> dict[str, int]:
    """Truth reads of non-miRNA, non-random biotypes whose observed insert (one per truth row)
    was given the biotype miRNA, counted per true biotype."""
    biotype_of_insert = inserts.set_index("sequence")["biotype"]
    observed = pd.Series(observed_inserts, index=truth.index).map(biotype_of_insert)
    fragments = ~truth["biotype"].isin(["miRNA", "random"])
    leaked = truth[fragments & (observed == "miRNA")]
    counts = {biotype: 0 for biotype in truth.loc[fragments, "biotype"].unique()}
    counts.update(leaked["biotype"].value_counts().to_dict())
    return counts


def simulate_and_score(
    reference_prefix: str,
    n_reads: int,
    seed: int,
    contaminants: Mapping[str, Mapping[str, str]],
    workdir: str | os.PathLike,
    tolerances: tuple[int, int, int] = (2, 3, 3),
    **simulation: Any,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Simulate bare inserts (kit `none`: the read is the insert, with sequencing errors),
    collapse them, align and count them as the workflow does, and score against the truth.

    reference_prefix: the workflow's results/references/ folder path prefix (annotation index,
    annotation_records.tsv, mature_positions.tsv, hairpins.fa). contaminants: {biotype:
    {name: sequence}}. Returns (scores dict, per-biotype read table of the counting)."""
    from collections import Counter

    from exomir.common.fasta import read_fasta
    from exomir.devtools.reads import (
        DECODE,
        DEFAULT_KITS,
        DEFAULT_MATURE,
        read_chunks,
        read_mature_sequences,
        simulate,
        truth_table,
    )
    from exomir.inserts.kits import kit_preset, load_kits
    from exomir.quantify.assign import align_and_count, load_positions, load_records
    from exomir.quantify.exact import ExactIndex

    kit = kit_preset(load_kits(DEFAULT_KITS), "none")
    library = simulate(
        kit,
        read_mature_sequences(DEFAULT_MATURE),
        read_fasta(f"{reference_prefix}hairpins.fa"),
        n_reads,
        seed,
        contaminants={biotype: (biotype, records) for biotype, records in contaminants.items()},
        **simulation,
    )
    truth = truth_table(library)
    observed = [bytes(read).rstrip(b"\0").decode() for _, codes in read_chunks(library) for read in DECODE[codes]]
    low, high = kit["insert_length"]
    counts = Counter(sequence for sequence in observed if low <= len(sequence) <= high)
    collapsed = pd.DataFrame(counts.most_common(), columns=["sequence", "reads"])
    collapsed["molecules"] = collapsed["reads"]
    positions = load_positions(f"{reference_prefix}mature_positions.tsv")
    records = load_records(f"{reference_prefix}annotation_records.tsv")
    tables, stats, _ = align_and_count(
        collapsed,
        f"{reference_prefix}annotation",
        ExactIndex.load(f"{reference_prefix}annotation.fa", f"{reference_prefix}annotation.suffixes.npy"),
        positions,
        records,
        tolerances,
        1,
        low,
        workdir,
        f"{workdir}/bowtie.log",
    )
    unit = identical_sequence_units(read_mature_sequences(DEFAULT_MATURE))
    true_reads = truth[truth["biotype"] == "miRNA"].groupby("name").size()
    shadowed = pd.read_csv(f"{reference_prefix}shadowed_matures.tsv", sep="\t")["mirna"].map(unit)
    true_reads = true_reads.groupby(true_reads.index.map(unit)).sum()
    counted = tables["mirnas"].set_index("mirna")["reads"]
    counted = counted.groupby(counted.index.map(unit)).sum()
    scores = {
        "all": mirna_scores(true_reads, counted),
        "identifiable": mirna_scores(true_reads[~true_reads.index.isin(shadowed)], counted),
        "shadowed_true_reads": int(true_reads[true_reads.index.isin(shadowed)].sum()),
        "fragments_on_mirna": fragments_on_mirna(truth, observed, tables["inserts"]),
        "fragment_reads": truth["biotype"].value_counts().to_dict(),
    }
    return scores, stats
