"""Reading reference FASTA files (miRBase, MirGeneDB, annotation sets)."""

import os

import dnaio


def read_fasta(path: str | os.PathLike, name_prefix: str = "") -> dict[str, str]:
    """{first word of header: DNA sequence} for records whose name starts with `name_prefix`."""
    records = {}
    with dnaio.open(path) as fasta:
        for record in fasta:
            name = record.name.split()[0]
            if name.lower().startswith(name_prefix.lower()):
                records[name] = record.sequence.upper().replace("U", "T")
    return records


def accession_names(mature_fasta: str | os.PathLike, species_prefix: str = "hsa") -> dict[str, str]:
    """{miRBase accession: mature name} from FASTA headers such as '>hsa-miR-21-5p MIMAT0000076 ...'."""
    names = {}
    with dnaio.open(mature_fasta) as fasta:
        for record in fasta:
            fields = record.name.split()
            if len(fields) < 2 or not fields[0].lower().startswith(species_prefix.lower()):
                continue
            names[fields[1]] = fields[0]
    return names
