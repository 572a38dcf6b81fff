"""Rule mirna_reference: species hairpins and the mature positions on them (exomir.references.mirbase)."""

from exomir.common.atomic import write_lines
from exomir.common.fasta import accession_names, read_fasta
from exomir.common.tables import write_tsv
from exomir.references.mirbase import mature_positions, parse_gff3, positions_by_sequence


def main(snakemake):
    prefix = snakemake.params.species_prefix
    hairpins = read_fasta(snakemake.input.hairpin, prefix)
    if not hairpins:
        raise ValueError(f"{snakemake.input.hairpin}: no hairpin starts with '{prefix}'")
    mature_sequences = read_fasta(snakemake.input.mature, prefix)
    if snakemake.input.gff3:
        precursors, matures = parse_gff3(snakemake.input.gff3)
        positions, problems = mature_positions(precursors, matures, hairpins, mature_sequences)
    else:  # no coordinates: each mature wherever its sequence lies in a hairpin
        accessions = {name: accession for accession, name in accession_names(snakemake.input.mature, prefix).items()}
        positions, problems = positions_by_sequence(hairpins, mature_sequences, accessions)
    with open(snakemake.log[0], "w") as log:
        log.write(f"{len(hairpins)} hairpins, {len(positions)} mature positions\n")
        log.writelines(f"skipped: {problem}\n" for problem in problems)
    if positions.empty:
        source = snakemake.input.gff3 or snakemake.input.hairpin
        raise ValueError(f"{source}: no mature miRNA could be placed on a hairpin")
    write_lines((f">{name}\n{sequence}\n" for name, sequence in hairpins.items()), snakemake.output.hairpins)
    write_tsv(positions, snakemake.output.positions, index=False)


if "snakemake" in globals():  # run by Snakemake's `script:` directive
    main(snakemake)  # noqa: F821
