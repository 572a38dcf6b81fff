"""Stage scores: signature scores, deconvolution, tumour origin and the scored AnnData (results/scores/)."""
