"""One alignment pass per insert, 3' A/T rescue and the optional genome pass (real bowtie)."""

import subprocess

import pytest

from exomir.quantify.align import align_inserts, nontemplated_candidates

HAIRPIN = "GGCATTCACCGCGTGCCTTAATTGTCCTGTACTGAGCTGCCCCGAGGCCCTTCATGCTGCCCAGCTCGGGGCAGCTCAGTACAGGATAC"
MATURE = "TCCTGTACTGAGCTGCCCCGAG"  # hsa-miR-486-5p on its hairpin, at offset 24
GENOME = "TTGACCAGGTACCATAGCTACGGATCAGGCTTACCGATACGTAGCATCGATCGGGTTAACCAGTTCAGACTGAG"


def build_index(folder, name, records):
    fasta = folder / f"{name}.fa"
    fasta.write_text("".join(f">{record}\n{sequence}\n" for record, sequence in records.items()))
    subprocess.run(["bowtie-build", "-q", fasta, folder / name], check=True)
    return str(folder / name)


@pytest.fixture(scope="module")
def indexes(tmp_path_factory):
    folder = tmp_path_factory.mktemp("indexes")
    annotation = build_index(folder, "annotation", {"miRNA|hsa-mir-486-1": HAIRPIN})
    return folder, annotation, build_index(folder, "genome", {"chr1": GENOME})


def test_exact_insert_aligns_once_and_tailed_insert_is_rescued(indexes):
    folder, annotation, genome = indexes
    inserts = [MATURE, MATURE + "TT", MATURE[:16] + "TTTT", GENOME[10:30], "ACGT" * 5]
    alignments, counts = align_inserts(inserts, annotation, 0, 3, 16, folder, folder / "bowtie.log", genome)
    by_row = {row: (tail, reference, start, end) for row, tail, reference, start, end, _ in alignments}
    assert by_row[0] == (0, "miRNA|hsa-mir-486-1", 24, 46)
    # Two 3' T that the hairpin does not encode: aligned once they are removed.
    assert by_row[1] == (2, "miRNA|hsa-mir-486-1", 24, 46)
    # Four non-templated T are more than max_nontemplated (3): left unaligned, as is random sequence.
    assert 2 not in by_row and 4 not in by_row
    # Only inserts no annotation explains go to the genome.
    assert by_row[3] == (0, "genome|chr1", 10, 30)
    assert counts == {"aligned_as_is": 1, "aligned_after_tail_removal": 1, "aligned_to_genome": 1}
    assert "reads processed: 5" in (folder / "bowtie.log").read_text()


def test_tail_candidates_stop_at_the_first_g_or_c_and_at_the_minimum_length():
    sequences = ["ACGTACGTACGTACGTCATA", "ACGTACGTACGTACGTACAT", "ACGTACGTACGTACGTAA"]
    candidates = nontemplated_candidates(sequences, [0, 1, 2], max_nontemplated=3, min_length=17)
    assert candidates == [
        (0, 1, "ACGTACGTACGTACGTCAT"),
        (0, 2, "ACGTACGTACGTACGTCA"),
        (0, 3, "ACGTACGTACGTACGTC"),
        (1, 1, "ACGTACGTACGTACGTACA"),
        (1, 2, "ACGTACGTACGTACGTAC"),
        (2, 1, "ACGTACGTACGTACGTA"),
    ]
