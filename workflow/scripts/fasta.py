"""Reading reference FASTA files (miRBase, MirGeneDB, annotation sets)."""

import dnaio


def read_fasta(path, name_prefix=""):
    """{first word of header: DNA sequence} for records whose name starts with `name_prefix`."""
    records = {}
    with dnaio.open(path) as fasta:
        for record in fasta:
            name = record.name.split()[0]
            if name.lower().startswith(name_prefix.lower()):
                records[name] = record.sequence.upper().replace("U", "T")
    return records
