"""Rule inserts: a sample's FASTQ lanes → its kit decision, unique inserts and stats (exomir.inserts)."""

import json
import logging

from exomir.common.atomic import write_json
from exomir.common.fasta import read_fasta
from exomir.inserts.collapse import write_collapsed
from exomir.inserts.kits import load_kits
from exomir.inserts.reads import collapse_lanes, detect, insert_length_range


def main(snakemake):
    logging.basicConfig(filename=snakemake.log[0], level=logging.INFO, format="%(message)s", force=True)
    sample, params = snakemake.wildcards.sample, snakemake.params
    try:
        decision = detect(
            sample,
            params.declared,
            snakemake.input.fastq,
            load_kits(snakemake.input.kits),
            set(read_fasta(snakemake.input.mature).values()),
            params.detection["reads"],
            params.detection["min_fraction"],
            params.trim["error_rate"],
        )
        for message in decision["warnings"]:
            logging.warning(f"WARNING: sample {sample}: {message}")
        logging.info(json.dumps({key: value for key, value in decision.items() if key != "preset"}, indent=2))
        kit = decision["preset"]
        length_range = insert_length_range(kit, params.trim["min_length"], params.trim["max_length"])
        rows, stats = collapse_lanes(snakemake.input.fastq, kit, params.trim, length_range)
    except Exception as error:
        logging.error(str(error))
        raise
    logging.info(json.dumps({key: value for key, value in stats.items() if key != "insert_lengths"}, indent=2))
    write_json(decision, snakemake.output.kit)
    write_collapsed(rows, snakemake.output.table)
    write_json(stats, snakemake.output.stats)


if "snakemake" in globals():  # run by Snakemake's `script:` directive
    main(snakemake)  # noqa: F821
