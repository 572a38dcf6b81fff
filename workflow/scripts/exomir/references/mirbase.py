"""Prepare the miRNA reference: hairpins for alignment and mature positions on them.

Mature coordinates come from the GFF3 (miRBase: `miRNA` features that derive from a
`miRNA_primary_transcript`; MirGeneDB: `miRNA` features inside a `pre_miRNA`). They are
converted to 0-based offsets on the hairpin sequence and checked against it: a mature whose
sequence is not where the GFF3 says is located by searching the hairpin (MirGeneDB hairpins
carry flanks), and one that cannot be found is reported, never silently kept.
"""

import os
from collections.abc import Mapping
from typing import Any

import pandas as pd

POSITION_COLUMNS = ["hairpin", "mirna", "accession", "start", "end", "sequence"]
PRECURSOR_TYPES = {"miRNA_primary_transcript", "pre_miRNA"}


def parse_gff3(path: str | os.PathLike) -> tuple[pd.DataFrame, pd.DataFrame]:
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


def precursor_ids(mature: pd.Series, precursors: pd.DataFrame) -> list[str]:
    """The IDs of a mature's precursors: its `Derives_from` (miRBase), or else the precursors on
    the same strand whose interval contains it (MirGeneDB has no Derives_from)."""
    if mature["derives_from"]:
        return mature["derives_from"].split(",")
    return _containing_precursor(mature, precursors)


def _containing_precursor(mature: pd.Series, precursors: pd.DataFrame) -> list[str]:
    """Precursor IDs on the same strand whose interval contains the mature's."""
    hits = precursors[
        (precursors["chrom"] == mature["chrom"])
        & (precursors["strand"] == mature["strand"])
        & (precursors["start"] <= mature["start"])
        & (precursors["end"] >= mature["end"])
    ]
    return list(hits["id"])


def _hairpin_name(precursor: Mapping[str, Any], hairpins: Mapping[str, str]) -> str | None:
    """The hairpin FASTA record of a GFF3 precursor (by Name, then ID, then MirGeneDB _pri)."""
    for candidate in (precursor["name"], precursor["id"], precursor["id"].replace("_pre", "_pri")):
        if candidate in hairpins:
            return candidate
    return None


def mature_positions(
    precursors: pd.DataFrame, matures: pd.DataFrame, hairpins: Mapping[str, str], mature_sequences: Mapping[str, str]
) -> tuple[pd.DataFrame, list[str]]:
    """One row per (hairpin, mature): 0-based start and end on the hairpin.

    Returns (positions DataFrame, list of problems). Matures whose hairpin is not in the
    FASTA (another species, for example) are skipped without a problem being reported.
    """
    precursor_by_id = precursors.set_index("id")
    rows, problems = [], []
    for _, mature in matures.iterrows():
        sequence = mature_sequences.get(mature["name"])
        for parent_id in precursor_ids(mature, precursors):
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
    positions = pd.DataFrame(rows, columns=POSITION_COLUMNS)
    return positions.drop_duplicates(["hairpin", "mirna", "start"]), problems


def positions_by_sequence(
    hairpins: Mapping[str, str], mature_sequences: Mapping[str, str], accessions: Mapping[str, str]
) -> tuple[pd.DataFrame, list[str]]:
    """Mature positions without a GFF3: every occurrence of each mature sequence in the species'
    hairpins (the first per hairpin), for references such as miRBase's all-species files that give
    no coordinates. `accessions` is {mature name: accession}. Returns (positions, problems)."""
    rows, problems = [], []
    for mirna, sequence in mature_sequences.items():
        found = False
        for hairpin, hairpin_sequence in hairpins.items():
            offset = hairpin_sequence.find(sequence)
            if offset >= 0:
                found = True
                rows.append(
                    {
                        "hairpin": hairpin,
                        "mirna": mirna,
                        "accession": accessions.get(mirna, ""),
                        "start": offset,
                        "end": offset + len(sequence),
                        "sequence": sequence,
                    }
                )
        if not found:
            problems.append(f"{mirna} found in no hairpin")
    return pd.DataFrame(rows, columns=POSITION_COLUMNS), problems
