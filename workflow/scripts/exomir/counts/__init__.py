"""Stage counts: cohort matrices, normalisations and the count AnnData (results/counts/)."""
