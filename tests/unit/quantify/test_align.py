"""One alignment pass per insert, 3' A/T rescue and the optional genome pass (real bowtie)."""

import random
import subprocess

import numpy as np
import pytest

from exomir.quantify.align import align_inserts, best_stratum, nontemplated_candidates, run_bowtie
from exomir.quantify.exact import KEY_LENGTH, ExactIndex, plain_and_short, suffix_order

HAIRPIN = "GGCATTCACCGCGTGCCTTAATTGTCCTGTACTGAGCTGCCCCGAGGCCCTTCATGCTGCCCAGCTCGGGGCAGCTCAGTACAGGATAC"
MATURE = "TCCTGTACTGAGCTGCCCCGAG"  # hsa-miR-486-5p on its hairpin, at offset 24
GENOME = "TTGACCAGGTACCATAGCTACGGATCAGGCTTACCGATACGTAGCATCGATCGGGTTAACCAGTTCAGACTGAG"


def build_index(folder, name, records):
    fasta = folder / f"{name}.fa"
    fasta.write_text("".join(f">{record}\n{sequence}\n" for record, sequence in records.items()))
    subprocess.run(["bowtie-build", "-q", fasta, folder / name], check=True)
    return str(folder / name)


def exact_index(prefix):
    return ExactIndex(f"{prefix}.fa", suffix_order(f"{prefix}.fa"))


@pytest.fixture(scope="module")
def indexes(tmp_path_factory):
    folder = tmp_path_factory.mktemp("indexes")
    annotation = build_index(folder, "annotation", {"miRNA|hsa-mir-486-1": HAIRPIN})
    return folder, annotation, build_index(folder, "genome", {"chr1": GENOME})


def test_exact_insert_aligns_once_and_tailed_insert_is_rescued(indexes):
    folder, annotation, genome = indexes
    inserts = [MATURE, MATURE + "TT", MATURE[:16] + "TTTT", GENOME[10:30], "ACGT" * 5]
    exact = exact_index(annotation)
    alignments, counts = align_inserts(inserts, annotation, exact, 0, 3, 16, folder, folder / "bowtie.log", genome)
    by_row = {
        row: (tail, reference, start, end) for row, tail, reference, start, end, _ in alignments.itertuples(index=False)
    }
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


def hits(table):
    return sorted(table.itertuples(index=False, name=None))


def bowtie_alone(sequences, index, mismatches, folder):
    """bowtie's own alignments of every sequence, and its own summary."""
    arguments = ["-v", str(mismatches), "-a", "--best", "--strata", "--norc"]
    alignments = run_bowtie(sequences, index, arguments, folder, folder / "alone.log")
    return alignments, (folder / "alone.log").read_text()


@pytest.mark.parametrize("mismatches", [0, 1, 2])
def test_the_suffix_index_finds_what_bowtie_alone_finds_with_its_summary(tmp_path, mismatches):
    """Inserts of repeated records, across record ends, with N in the read or the reference,
    with up to three substitutions, longer than the keys: the suffix index and bowtie together
    report exactly bowtie's alignments, descriptors and summary."""
    generator = random.Random(7)
    unit = "".join(generator.choice("ACGT") for _ in range(120))
    records = {f"tRNA|{number}": unit for number in range(3)}  # the same sequence three times
    records["rRNA|1"] = unit[:50] + "N" + unit[51:] + "".join(generator.choice("ACGT") for _ in range(80))
    records["YRNA|2"] = "".join(generator.choice("ACGT") for _ in range(200))
    records["snRNA|3"] = "A" * 40 + "".join(generator.choice("ACGT") for _ in range(30))  # low complexity
    annotation = build_index(tmp_path, "annotation", records)
    sequences = []
    for _ in range(400):
        record = generator.choice(list(records.values()))
        length = generator.randint(16, 70)
        start = generator.randint(0, len(record) - 16)
        sequence = list(record[start : start + length])  # may be cut short at the record's end
        for _ in range(generator.choice([0, 0, 1, 1, 2, 3])):
            position = generator.randrange(len(sequence))
            sequence[position] = generator.choice("ACGTN".replace(sequence[position], ""))
        sequences.append("".join(sequence))
    sequences += [unit[100:] + records["rRNA|1"][:10], records["YRNA|2"][-10:] + unit[:10], "ACGT" * 6]
    sequences += [
        "A" * 20,
        "A" * 19 + "C",
        unit[: KEY_LENGTH - 1],
        unit[:KEY_LENGTH],
        unit[45:70].replace(unit[50], "N"),
    ]
    exact = exact_index(annotation)
    together = best_stratum(sequences, annotation, exact, mismatches, tmp_path, tmp_path / "together.log")
    alone, summary = bowtie_alone(sequences, annotation, mismatches, tmp_path)
    assert hits(together) == hits(alone)
    assert (tmp_path / "together.log").read_text() == summary
    assert len(together) > together["number"].nunique()  # the repeated records: several per insert
    assert len(np.unique(exact.occurrences(sequences)[0])) > 100  # most found in the index
    if mismatches:
        assert (together["mismatches"].astype(str).str.count(">") == mismatches).any()


def test_only_plain_inserts_shorter_than_the_keys_are_looked_up():
    sequences = ["ACGT", "ACGN", "acgt", "A" * (KEY_LENGTH - 1), "A" * KEY_LENGTH, "ACGÅ", "", "TTTT"]
    assert plain_and_short(sequences).tolist() == [True, False, False, True, False, False, True, True]


def test_a_suffix_index_of_another_reference_is_refused(tmp_path):
    first = build_index(tmp_path, "first", {"tRNA|1": "ACGTACGTAC"})
    second = build_index(tmp_path, "second", {"tRNA|1": "ACGTACGTACGT"})
    with pytest.raises(ValueError, match="rebuild it"):
        ExactIndex(f"{first}.fa", suffix_order(f"{second}.fa"))
    assert np.array_equal(exact_index(first).order, suffix_order(f"{first}.fa"))
