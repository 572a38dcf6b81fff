"""Stage report: the MultiQC tables and the report (results/report/)."""
