#!/usr/bin/env bash
# Regenerates the demo reads in this folder with the project's simulator (deterministic:
# the same seeds give byte-identical files). Run from the repository root:
#   bash resources/demo/generate.sh [python]
set -euo pipefail
python=${1:-.venv/bin/python}
out=resources/demo
simulate() {  # sample kit seed
  "$python" -m exomir.devtools.reads --kit "$2" --seed "$3" --reads 20000 \
    --read-length 75 --random-fraction 0.05 --fastq "$out/$1.fastq.gz" --truth "$out/$1.truth.tsv.gz"
}
simulate demo_plasma_truseq truseq 11
simulate demo_serum_nebnext nebnext 12
simulate demo_plasma_nextflex nextflex_v3 13
simulate demo_urine_qiaseq qiaseq 14
