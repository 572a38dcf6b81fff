"""Build the combined annotation reference: every biotype's sequences in one FASTA.

Each record is named `<biotype>|<id>` so that one bowtie pass over one index reports, for
each insert, the biotypes it matches; exomir.quantify.assign then resolves them by BIOTYPE_PRIORITY.
A table beside the FASTA gives each record's biotype, feature (gene or family name) and length.

Sources and what is done to them:
- miRNA: the species hairpins from mirna_reference.py, under their own names.
- spike-ins: FASTA, or CSV with a name column and a `sequence` column (the exRNAQC spike-in
  table has a byte-order mark, which is skipped).
- tRNA: FASTA (GtRNAdb, miRTrace or MINTmap style). Mature tRNAs carry a 3' CCA added after
  transcription (Sprinzl & Vassilenko, Nucleic Acids Res 2005;33:D139) that tRNA genes do not
  encode and these sets do not include; it is appended to every record so that 3' tRNA
  fragments align.
- rRNA: FASTA, as given.
- ncRNA: GENCODE-style FASTA with `gene_type "..."` and `gene_name "..."` in the header.
  gene_type miRNA is dropped (the hairpins are the miRNA reference); Y RNAs (gene_name Y_RNA or
  RNY*) become YRNA; rRNA, rRNA_pseudogene and Mt_rRNA become rRNA; snRNA stays snRNA;
  snoRNA and scaRNA become snoRNA; any other gene_type becomes other_ncRNA. Records without
  gene_type whose header names a tRNA are tRNA; any other record without gene_type is an error.
"""

import csv
import os
import re
from collections.abc import Iterable, Mapping

import dnaio
import pandas as pd

from exomir.common.biotypes import BIOTYPE_PRIORITY

NCRNA_BIOTYPES = {
    "rRNA": "rRNA",
    "rRNA_pseudogene": "rRNA",
    "Mt_rRNA": "rRNA",
    "snRNA": "snRNA",
    "snoRNA": "snoRNA",
    "scaRNA": "snoRNA",
}
MATURE_TRNA_TAIL = "CCA"
TRNA_FAMILY_PATTERNS = (
    re.compile(r"tRNA-([A-Za-z]+)-([ACGTUN]{3})"),  # GtRNAdb: Homo_sapiens_tRNA-Ala-AGC-1-1
    re.compile(r"\|([A-Za-z]+)\|([ACGTUN]{3})\b"),  # miRTrace: ...|Homo_sapiens|9606|Tyr|GTA
    re.compile(r"_([A-Z][a-z]{2})([ACGTUN]{3})_"),  # MINTmap: trnalookalike2_GlnTTG_1_...
)
RECORD_COLUMNS = ["reference", "biotype", "feature", "family", "length"]


def header_attribute(header: str, key: str) -> str | None:
    match = re.search(rf'{key} "([^"]*)"', header)
    return match.group(1) if match else None


def trna_family(header: str) -> str | None:
    """`tRNA-<amino acid>-<anticodon>` from a tRNA FASTA header, or None."""
    for pattern in TRNA_FAMILY_PATTERNS:
        match = pattern.search(header)
        if match:
            return f"tRNA-{match.group(1)}-{match.group(2).replace('U', 'T')}"
    return None


def ncrna_biotype(header: str, path: str | os.PathLike, number: int) -> str | None:
    """Biotype of one GENCODE ncRNA record (None: drop it), by the rules in the docstring."""
    gene_type = header_attribute(header, "gene_type")
    if gene_type is None:
        if "tRNA" in header:
            return "tRNA"
        raise ValueError(f"{path}: record {number} ({header.split()[0]}) has no gene_type and is no tRNA")
    if gene_type == "miRNA":
        return None
    gene_name = header_attribute(header, "gene_name") or ""
    if gene_name == "Y_RNA" or gene_name.startswith("RNY"):
        return "YRNA"
    return NCRNA_BIOTYPES.get(gene_type, "other_ncRNA")


def clean_sequence(sequence: str, path: str | os.PathLike, name: str) -> str:
    """A reference sequence in DNA capitals; raises naming the file and record when it is no nucleotide sequence."""
    sequence = sequence.upper().replace("U", "T")
    if not sequence or set(sequence) - set("ACGTN"):
        raise ValueError(f"{path}: record {name} is not a nucleotide sequence")
    return sequence


def read_spike_ins(path: str | os.PathLike) -> list[tuple[str, str]]:
    """[(name, sequence)] from a FASTA or a CSV with a `sequence` column."""
    if str(path).endswith(".csv"):
        with open(path, encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.DictReader(handle))
        if not rows or "sequence" not in rows[0]:
            raise ValueError(f"{path}: a spike-in CSV needs a header with a 'sequence' column")
        name_column = next(column for column in rows[0] if column != "sequence")
        return [(row[name_column], clean_sequence(row["sequence"], path, row[name_column])) for row in rows]
    with dnaio.open(path) as fasta:
        return [(record.name.split()[0], clean_sequence(record.sequence, path, record.name)) for record in fasta]


def annotation_records(
    hairpins: Mapping[str, str],
    spike_ins: Iterable[str | os.PathLike] = (),
    trna: Iterable[str | os.PathLike] = (),
    rrna: Iterable[str | os.PathLike] = (),
    ncrna: Iterable[str | os.PathLike] = (),
    artifacts: Iterable[str | os.PathLike] = (),
) -> list[tuple[str, str, str, str, str]]:
    """Records of the combined reference as (reference name, biotype, feature, family, sequence).

    `hairpins` is {name: sequence} and keep their names (the mature positions refer to them);
    the other arguments are lists of file paths, whose records are numbered `<biotype>|<n>`.
    """
    records = [(f"miRNA|{name}", "miRNA", name, name, sequence) for name, sequence in hairpins.items()]

    def add(biotype: str, feature: str, family: str, sequence: str) -> None:
        records.append((f"{biotype}|{len(records)}", biotype, feature, family, sequence))

    for path in spike_ins:
        for name, sequence in read_spike_ins(path):
            add("spike_in", name, name, sequence)
    for source, paths in (("artifact", artifacts), ("tRNA", trna), ("rRNA", rrna), ("ncRNA", ncrna)):
        for path in paths:
            with dnaio.open(path) as fasta:
                for number, record in enumerate(fasta, start=1):
                    name = record.name.split()[0]
                    biotype = ncrna_biotype(record.name, path, number) if source == "ncRNA" else source
                    if biotype is None:
                        continue
                    sequence = clean_sequence(record.sequence, path, name)
                    feature = header_attribute(record.name, "gene_name") or name
                    family = feature
                    if biotype == "tRNA":
                        family = trna_family(record.name) or name
                        sequence += MATURE_TRNA_TAIL
                    add(biotype, feature, family, sequence)
    return records


def shadowed_matures(records: Iterable[tuple[str, str, str, str, str]], positions: pd.DataFrame) -> pd.DataFrame:
    """Matures whose sequence lies wholly inside a record of a biotype ranked above miRNA:
    their exact reads are given that biotype. One row per (mature, biotype, feature)."""
    above = BIOTYPE_PRIORITY[: BIOTYPE_PRIORITY.index("miRNA")]
    candidates = [record for record in records if record[1] in above]
    rows = set()
    for mature in positions.drop_duplicates("mirna").itertuples(index=False):
        for _, biotype, feature, _, sequence in candidates:
            if mature.sequence in sequence:
                rows.add((mature.mirna, mature.accession, biotype, feature))
    return pd.DataFrame(sorted(rows), columns=["mirna", "accession", "biotype", "feature"])


def record_table(records: list[tuple[str, str, str, str, str]]) -> pd.DataFrame:
    """The table beside the combined FASTA: reference name, biotype, feature, family, length."""
    return pd.DataFrame(
        [(name, biotype, feature, family, len(sequence)) for name, biotype, feature, family, sequence in records],
        columns=RECORD_COLUMNS,
    )
