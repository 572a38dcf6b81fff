"""The biotypes an insert can be given, in the order that resolves an insert matching several.

The annotation cascade (exomir.references.annotation) builds the reference, quantification
(exomir.quantify.assign) resolves each insert by this order, and the counts and report
stages list biotypes in it.
"""

# Resolution order of an insert that matches several biotypes (docs/methods.md, "Quantification").
# tRNA, rRNA and Y RNA come before miRNA: a mature miRNA lying wholly inside one of them is
# more likely a fragment of that abundant RNA than a miRNA (miRBase v22 human has 22 such
# matures, e.g. miR-4485 in mitochondrial 16S rRNA and miR-663a in 45S rRNA), and counting
# those fragments as miRNA would put tRNA/rRNA signal on miRNAs. Such matures are listed by
# exomir.references.annotation.shadowed_matures. miRNA_hairpin is a hairpin alignment outside any mature: it yields to
# every other annotation.
# artifact: adapter, primer and PCR-dimer sequences and the phiX174 control genome, which exceRpt
# and miRTrace set apart the same way; they are no RNA of the sample, so they come right after the
# spike-ins (a project choice).
BIOTYPE_PRIORITY = (
    "spike_in",
    "artifact",
    "tRNA",
    "rRNA",
    "YRNA",
    "miRNA",
    "snRNA",
    "snoRNA",
    "other_ncRNA",
    "miRNA_hairpin",
    "genome",
    "unassigned",
)
