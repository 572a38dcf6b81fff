"""Stage quantify: alignment of unique inserts, biotype and miRNA assignment, mirGFF3 (results/quantify/)."""
