"""Differential expression between groups of sample-sheet conditions (rules/differential.smk):
the contrasts and their design (`design`), DESeq2 on the raw counts through pydeseq2 (`deseq`), the
volcano plot and heatmap (`figures`) and the report's custom content (`report`)."""
