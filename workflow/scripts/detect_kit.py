"""Decide a sample's library kit from its first reads and write it, with the evidence, as JSON.

The JSON carries the kit's preset, so trimming and collapsing apply exactly the kit it names.
A kit declared in the sample sheet is used as given; a mismatch with the reads becomes a
warning in the report. `auto` takes the detected kit, or stops naming the best candidates.
"""

import json
import logging

import dnaio

from atomic import atomic_path
from kits import choose_kit, gather_evidence, load_kits
from mirna_reference import read_fasta


def lane_sequences(lanes):
    """Read sequences of the lanes one after the other, read lazily."""
    for lane in lanes:
        with dnaio.open(lane) as reads:
            for read in reads:
                yield read.sequence


def detect(sample, declared, lanes, kits, mature_sequences, max_reads, min_fraction, error_rate):
    """The per-sample kit decision (see kits.choose_kit) with the chosen kit's preset."""
    detection = gather_evidence(lane_sequences(lanes), kits, mature_sequences, max_reads, error_rate)
    decision = choose_kit(sample, declared, detection, list(kits), min_fraction)
    decision["preset"] = kits[decision["kit"]]
    return decision


def main(snakemake):
    logging.basicConfig(filename=snakemake.log[0], level=logging.INFO, format="%(message)s", force=True)
    sample = snakemake.wildcards.sample
    try:
        decision = detect(
            sample,
            snakemake.params.declared,
            snakemake.input.fastq,
            load_kits(snakemake.input.kits),
            set(read_fasta(snakemake.input.mature).values()),
            snakemake.params.reads,
            snakemake.params.min_fraction,
            snakemake.params.error_rate,
        )
    except Exception as error:
        logging.error(str(error))
        raise
    for message in decision["warnings"]:
        logging.warning(f"WARNING: sample {sample}: {message}")
    logging.info(json.dumps({key: value for key, value in decision.items() if key != "preset"}, indent=2))
    with atomic_path(snakemake.output.json) as temporary, open(temporary, "w") as handle:
        json.dump(decision, handle, indent=2)


if "snakemake" in globals():
    main(snakemake)  # noqa: F821
