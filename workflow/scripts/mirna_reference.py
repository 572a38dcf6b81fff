"""Prepare the miRNA reference: hairpins for alignment and mature positions on them.

Mature coordinates come from the GFF3 (miRBase: `miRNA` features that derive from a
`miRNA_primary_transcript`; MirGeneDB: `miRNA` features inside a `pre_miRNA`). They are
converted to 0-based offsets on the hairpin sequence and checked against it: a mature whose
sequence is not where the GFF3 says is located by searching the hairpin (MirGeneDB hairpins
carry flanks), and one that cannot be found is reported, never silently kept.
"""

import pandas as pd

from atomic import atomic_path
from fasta import read_fasta

PRECURSOR_TYPES = {"miRNA_primary_transcript", "pre_miRNA"}


def parse_gff3(path):
    """Precursor and mature features of a miRBase/MirGeneDB GFF3 as two DataFrames."""
    rows = []
    with open(path) as handle:
        for line in handle:
            if line.startswith("#") or not line.strip():
                continue
            fields = line.rstrip("\n").split("\t")
            if len(fields) != 9:
                raise ValueError(f"{path}: not a GFF3 line: {line[:80]!r}")
            attributes = dict(item.split("=", 1) for item in fields[8].split(";") if "=" in item)
            rows.append(
                {
                    "chrom": fields[0],
                    "type": fields[2],
                    "start": int(fields[3]),
                    "end": int(fields[4]),
                    "strand": fields[6],
                    "id": attributes.get("ID", ""),
                    "name": attributes.get("Name", attributes.get("ID", "")),
                    "accession": attributes.get("Alias", attributes.get("ID", "")),
                    "derives_from": attributes.get("Derives_from", ""),
                }
            )
    features = pd.DataFrame(rows)
    precursors = features[features["type"].isin(PRECURSOR_TYPES)]
    matures = features[features["type"] == "miRNA"]
    return precursors, matures


def _containing_precursor(mature, precursors):
    """Precursor IDs on the same strand whose interval contains the mature's."""
    hits = precursors[
        (precursors["chrom"] == mature["chrom"])
        & (precursors["strand"] == mature["strand"])
        & (precursors["start"] <= mature["start"])
        & (precursors["end"] >= mature["end"])
    ]
    return list(hits["id"])


def _hairpin_name(precursor, hairpins):
    """The hairpin FASTA record of a GFF3 precursor (by Name, then ID, then MirGeneDB _pri)."""
    for candidate in (precursor["name"], precursor["id"], precursor["id"].replace("_pre", "_pri")):
        if candidate in hairpins:
            return candidate
    return None


def mature_positions(precursors, matures, hairpins, mature_sequences):
    """One row per (hairpin, mature): 0-based start and end on the hairpin.

    Returns (positions DataFrame, list of problems). Matures whose hairpin is not in the
    FASTA (another species, for example) are skipped without a problem being reported.
    """
    precursor_by_id = precursors.set_index("id")
    rows, problems = [], []
    for _, mature in matures.iterrows():
        parent_ids = mature["derives_from"].split(",") if mature["derives_from"] else []
        parent_ids = parent_ids or _containing_precursor(mature, precursors)
        sequence = mature_sequences.get(mature["name"])
        for parent_id in parent_ids:
            precursor = precursor_by_id.loc[parent_id]
            hairpin = _hairpin_name(precursor.to_dict() | {"id": parent_id}, hairpins)
            if hairpin is None:
                continue
            if precursor["strand"] == "+":
                offset = mature["start"] - precursor["start"]
            else:
                offset = precursor["end"] - mature["end"]
            length = mature["end"] - mature["start"] + 1
            hairpin_sequence = hairpins[hairpin]
            if sequence is not None and hairpin_sequence[offset : offset + length] != sequence:
                offset = hairpin_sequence.find(sequence)
                length = len(sequence)
            if offset < 0:
                problems.append(f"{mature['name']} not found in hairpin {hairpin}")
                continue
            rows.append(
                {
                    "hairpin": hairpin,
                    "mirna": mature["name"],
                    "accession": mature["accession"],
                    "start": offset,
                    "end": offset + length,
                    "sequence": hairpin_sequence[offset : offset + length],
                }
            )
    positions = pd.DataFrame(rows, columns=["hairpin", "mirna", "accession", "start", "end", "sequence"])
    return positions.drop_duplicates(["hairpin", "mirna", "start"]), problems


def main(snakemake):
    hairpins = read_fasta(snakemake.input.hairpin, snakemake.params.species_prefix)
    if not hairpins:
        raise ValueError(f"{snakemake.input.hairpin}: no hairpin starts with '{snakemake.params.species_prefix}'")
    mature_sequences = read_fasta(snakemake.input.mature, snakemake.params.species_prefix)
    precursors, matures = parse_gff3(snakemake.input.gff3)
    positions, problems = mature_positions(precursors, matures, hairpins, mature_sequences)
    with open(snakemake.log[0], "w") as log:
        log.write(f"{len(hairpins)} hairpins, {len(positions)} mature positions\n")
        log.writelines(f"skipped: {problem}\n" for problem in problems)
    if positions.empty:
        raise ValueError(f"{snakemake.input.gff3}: no mature miRNA could be placed on a hairpin")
    with atomic_path(snakemake.output.hairpins) as temporary, open(temporary, "w") as handle:
        handle.writelines(f">{name}\n{sequence}\n" for name, sequence in hairpins.items())
    with atomic_path(snakemake.output.positions) as temporary:
        positions.to_csv(temporary, sep="\t", index=False)


if "snakemake" in globals():
    main(snakemake)  # noqa: F821
