"""Trimming each distinct read once gives, read by read, the inserts of the cutadapt command line."""

import subprocess
from collections import Counter

import dnaio
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import exomir.devtools.reads as sim
from exomir.common.fasta import read_fasta
from exomir.devtools.runs import REPO, SHARED_DATA
from exomir.inserts.kits import load_kits
from exomir.inserts.reads import distinct_read_chunks
from exomir.inserts.trim import adapter_finder, trim_distinct, trim_reads, umis_at

KITS = load_kits(REPO / "resources" / "kits.yaml")
ERROR_RATE, MIN_OVERLAP = 0.1, 3
READS = SHARED_DATA / "reads"


def cutadapt_inserts(fastq, kit, output):
    """{read name: (insert, UMI)} from the cutadapt command line the trimming stands for."""
    command = ["cutadapt", "--cut", str(kit["clip_5p"]), "--fasta", "-o", str(output)]
    if kit["adapter_3p"]:
        command += ["-a", adapter_finder(kit, ERROR_RATE, MIN_OVERLAP).sequence, "-e", str(ERROR_RATE)]
        command += ["-O", str(MIN_OVERLAP), "--rename", "{id} match={match_sequence}"]
    subprocess.run(command + [str(fastq)], check=True, capture_output=True)
    inserts = {}
    with dnaio.open(output) as records:
        for record in records:
            name, _, matched = record.name.partition(" match=")
            umi = umi_of_match(matched, kit["umi"]) if kit["umi"] and matched else None
            inserts[name] = (record.sequence, umi)
    return inserts


def umi_of_match(matched, umi_layout):
    """The UMI in the part of a read that matched the layout adapter (None when it ends in the UMI)."""
    return umis_at([matched], np.zeros(1, np.int64), np.full(1, len(matched)), umi_layout)[0]


def assert_same_inserts_as_cutadapt(fastq, kit, tmp_path):
    expected = cutadapt_inserts(fastq, kit, tmp_path / "cutadapt.fasta")
    adapter = adapter_finder(kit, ERROR_RATE, MIN_OVERLAP)
    with dnaio.open(fastq) as records:
        names, sequences = zip(*((record.id, record.sequence) for record in records))
    trimmed = trim_reads(list(sequences), kit, adapter)
    umis = trimmed.umis or [None] * len(names)
    observed = dict(zip(names, zip(trimmed.inserts, umis)))
    assert len(observed) == len(expected) > 0
    differing = [name for name in observed if observed[name] != expected[name]]
    assert differing == [], f"{len(differing)} reads trimmed differently, e.g. {differing[:3]}"


@pytest.mark.parametrize("kit_name", sorted(KITS))
def test_simulated_reads_of_every_kit_trim_as_with_cutadapt(kit_name, tmp_path):
    library = sim.simulate(
        KITS[kit_name], sim.read_mature_sequences(sim.DEFAULT_MATURE), read_fasta(sim.DEFAULT_HAIRPIN), 2000, seed=8
    )
    fastq = tmp_path / "reads.fastq.gz"
    sim.write_chunks(sim.fastq_chunks(library), fastq)
    assert_same_inserts_as_cutadapt(fastq, KITS[kit_name], tmp_path)


@pytest.mark.parametrize("kit_name", ["truseq", "qiaseq"])
def test_high_diversity_reads_trim_as_with_cutadapt_mostly_without_the_aligner(kit_name, tmp_path):
    fastq, truth = tmp_path / "reads.fastq.gz", tmp_path / "truth.tsv.gz"
    sim.main(
        ["--kit", kit_name, "--reads", "4000", "--diversity", "high", "--seed", "3", "--max-error-rate", "0.03"]
        + ["--fastq", str(fastq), "--truth", str(truth)]
    )
    assert_same_inserts_as_cutadapt(fastq, KITS[kit_name], tmp_path)
    adapter = adapter_finder(KITS[kit_name], ERROR_RATE, MIN_OVERLAP)
    with dnaio.open(fastq) as records:
        exact = adapter.exact_starts([record.sequence for record in records]) >= 0
    assert 0.3 < exact.mean() < 0.95  # both paths are taken


def test_an_earlier_adapter_with_an_error_wins_over_a_later_exact_one(tmp_path):
    """cutadapt keeps the first acceptable alignment unless a better one starts within m // 2
    nt of it: the exact path must give way to an earlier copy with one error."""
    adapter = KITS["truseq"]["adapter_3p"]
    with_error = adapter[:10] + "C" + adapter[11:]
    reads = [
        "TAGCAGCACGTAAATATTGGCG" + with_error + adapter + "ACGT",  # earlier copy 21 nt before: it wins
        "TAGCAGCACGTAAATATTGGCG" + with_error[:9] + adapter + "ACGTACGTACGTAC",  # overlapping: exact wins
        "TAGCAGCACG" + adapter + "TAGCA" + adapter,  # two exact copies: the first
    ]
    fastq = tmp_path / "earlier.fastq"
    fastq.write_text("".join(f"@r{n}\n{read}\n+\n{'I' * len(read)}\n" for n, read in enumerate(reads)))
    assert_same_inserts_as_cutadapt(fastq, KITS["truseq"], tmp_path)
    finder = adapter_finder(KITS["truseq"], ERROR_RATE, MIN_OVERLAP)
    assert finder.exact_starts(reads).tolist() == [-1, -1, 10]


@pytest.mark.parametrize(
    ("relative_path", "kit_name"),
    [
        ("exRNAQC017_serum_plasma/RNA014937_S1_R1.fastq.gz", "truseq"),
        ("optimir_example/S1.fq.gz", "nebnext"),
        ("mirtrace_tutorial/QiaSeq_data.fastq.gz", "qiaseq"),
        ("exceRpt_test/testData_human.fastq.gz", "illumina_v1"),
    ],
)
def test_real_reads_trim_as_with_cutadapt(relative_path, kit_name, tmp_path):
    fastq = tmp_path / "first.fastq"
    with dnaio.open(READS / relative_path) as records, dnaio.open(fastq, mode="w") as first:
        for _, record in zip(range(5000), records):
            first.write(record)
    assert_same_inserts_as_cutadapt(fastq, KITS[kit_name], tmp_path)


def test_distinct_reads_carry_their_counts_and_untrimmed_reads_go():
    truseq = KITS["truseq"]
    adapter = adapter_finder(truseq, ERROR_RATE, MIN_OVERLAP)
    with_adapter = "TAGCAGCACGTAAATATTGGCG" + truseq["adapter_3p"] + "ATCTCG"
    without = "ACGT" * 15
    counts = Counter()
    trimmed = trim_distinct(Counter({with_adapter: 5, without: 2}), truseq, adapter, True, counts)
    assert (trimmed.inserts, trimmed.umis, trimmed.reads.tolist()) == (["TAGCAGCACGTAAATATTGGCG"], None, [5])
    assert counts == {"input_reads": 7, "adapter_found": 5, "untrimmed_discarded": 2}
    kept = trim_distinct(Counter({with_adapter: 5, without: 2}), truseq, adapter, False, Counter())
    assert (kept.inserts, kept.found.tolist(), kept.reads.tolist()) == (
        ["TAGCAGCACGTAAATATTGGCG", without],
        [True, False],
        [5, 2],
    )


def test_a_file_counts_as_many_reads_as_it_holds():
    lane = READS / "exRNAQC017_serum_plasma" / "RNA014937_S1_R1.fastq.gz"
    counts = sum(distinct_read_chunks([lane], 3000), Counter())
    with dnaio.open(lane) as records:
        assert sum(counts.values()) == sum(1 for _ in records) == 10_000


# Random reads: an insert, then a (possibly partial, possibly mutated) adapter, then anything.
BASES = "ACGTN"


@st.composite
def random_reads(draw, kit):
    adapter = kit["adapter_3p"] or ""
    reads = []
    for _ in range(draw(st.integers(1, 30))):
        insert = draw(st.text(BASES, min_size=0, max_size=40))
        cut = draw(st.integers(0, len(adapter)))
        tail = list(adapter[:cut])
        for position in draw(st.lists(st.integers(0, max(len(tail) - 1, 0)), max_size=2)):
            if tail:
                tail[position] = draw(st.sampled_from(BASES))
        rest = draw(st.text(BASES, max_size=15))
        reads.append(insert + "".join(tail) + rest or "A")
    return reads


@pytest.mark.parametrize("kit_name", ["truseq", "qiaseq", "nextflex_v3", "none"])
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_random_reads_trim_as_with_cutadapt(kit_name, tmp_path, data):
    kit = KITS[kit_name]
    reads = data.draw(random_reads(kit))
    fastq = tmp_path / "random.fastq"
    fastq.write_text("".join(f"@r{n}\n{read}\n+\n{'I' * len(read)}\n" for n, read in enumerate(reads)))
    assert_same_inserts_as_cutadapt(fastq, kit, tmp_path)
