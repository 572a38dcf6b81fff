"""Stage references: miRNA hairpins and mature positions, the annotation cascade, precursor groups,
the healthy baseline and the TCGA tumour atlas (results/references/)."""
