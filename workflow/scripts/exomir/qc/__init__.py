"""Stage qc: biofluid-aware sample QC (results/qc/)."""
