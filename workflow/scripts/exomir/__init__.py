"""exomir: small-RNA sequencing of extracellular vesicles, from reads to miRNA counts, QC and scores.

One subpackage per stage of the workflow (workflow/rules/<stage>.smk writes results/<stage>/):
references, inserts, quantify, counts, qc, scores and report; `common` holds what several stages
share (atomic writes, FASTA, the sample sheet, the config checks, marker roles, per-sample stats),
and `devtools` what tests/ and bench/ use: the read simulator, truth scoring, workflow runs.
"""

import warnings

__version__ = "0.4.0"

# mirtop 0.4.30 imports Bio.pairwise2, whose deprecation warning would otherwise be printed by
# every rule that writes or checks mirGFF3; it says nothing about the data.
warnings.filterwarnings("ignore", message="Bio.pairwise2 has been deprecated")
