"""Kit presets and kit detection, on the real read files of ../shared/data/reads."""

from collections import Counter

import numpy as np
import pytest
import yaml
from cutadapt.adapters import BackAdapter

from exomir.common.fasta import read_fasta
from exomir.devtools.runs import REPO, SHARED_DATA
from exomir.inserts.kits import (
    ANCHOR,
    AUTO,
    MIN_PARTIAL,
    MIN_WHOLE,
    KitDetectionError,
    choose_kit,
    gather_evidence,
    layout_adapter,
    load_kits,
)
from exomir.inserts.reads import detect, first_reads

KITS = load_kits(REPO / "resources" / "kits.yaml")
MATURE = set(read_fasta(REPO / "resources" / "mirbase-v22-hsa" / "mature.fa").values())
READS = SHARED_DATA / "reads"
MIN_FRACTION = 0.3
MAX_READS = 200_000


def run_detection(path, declared=AUTO, sample="sample"):
    return detect(sample, declared, [path], KITS, MATURE, MAX_READS, MIN_FRACTION, error_rate=0.1)


REAL_FILES = [
    ("exRNAQC017_serum_plasma/RNA014937_S1_R1.fastq.gz", "truseq"),
    ("exRNAQC017_serum_plasma/RNA014938_S2_R1.fastq.gz", "truseq"),
    ("exRNAQC017_serum_plasma/RNA014939_S3_R1.fastq.gz", "truseq"),
    ("optimir_example/S1.fq.gz", "nebnext"),
    ("optimir_example/S2.fq.gz", "nebnext"),
    ("mirtrace_tutorial/QiaSeq_data.fastq.gz", "qiaseq"),
    # exceRpt's test file has the v1.0 adapter TCGTATGCCGTCTTCTGCTTG (exceRpt itself finds
    # Illumina_1.0_smallRNA_3p); miRTrace's sample3 has the v1.5 adapter ATCTCGTATGCC....
    ("exceRpt_test/testData_human.fastq.gz", "illumina_v1"),
    ("mirtrace_tutorial/sample3.fastq.gz", "illumina_v15"),
    ("smallrnaseq_bovine/bovine_plasma_sample.fastq.gz", "none"),
    ("smallrnaseq_bovine/bovine_serum_sample.fastq.gz", "none"),
]


@pytest.mark.parametrize(("relative_path", "expected"), REAL_FILES)
def test_auto_detects_the_kit_of_real_reads(relative_path, expected):
    decision = run_detection(READS / relative_path)
    print(
        f"{relative_path}: {decision['kit']} fits {decision['support']:.1%} of {decision['reads_inspected']} reads;"
        f" runner-up {decision['runner_up']} {decision['runner_up_support']:.1%}"
    )
    assert decision["kit"] == expected
    assert decision["support"] >= MIN_FRACTION
    assert decision["runner_up_support"] < decision["support"]
    assert decision["preset"] == KITS[expected]
    assert decision["warnings"] == []


def reference_evidence(read_counts, error_rate=0.1):
    """{kit: (reads it fits, of them exact miRNA)} written out kit by kit with cutadapt's
    aligner: a kit fits a read when its layout's anchored match is the first anchored match of
    any layout and leaves an insert in its range; a kit without an adapter fits a read with no
    MIN_WHOLE-nt match, of a length in its range and below the longest read's."""
    layouts = sorted({layout_adapter(kit) for kit in KITS.values() if kit["adapter_3p"]})
    aligners = {layout: BackAdapter(layout, max_errors=error_rate, min_overlap=MIN_PARTIAL) for layout in layouts}
    longest = max(map(len, read_counts))
    fits = {name: [0, 0] for name in KITS}
    for read, count in read_counts.items():
        matches = {layout: aligner.match_to(read) for layout, aligner in aligners.items()}
        anchored = {
            layout: match.rstart
            for layout, match in matches.items()
            if match is not None and read[match.rstart : match.rstart + ANCHOR] == layout[:ANCHOR]
        }
        untrimmed = any(match is not None and match.rstop - match.rstart >= MIN_WHOLE for match in matches.values())
        for name, kit in KITS.items():
            low, high = kit["insert_length"]
            if kit["adapter_3p"]:
                start = anchored.get(layout_adapter(kit))
                if start is None or start != min(anchored.values()):
                    continue
                insert = read[kit["clip_5p"] : start - kit["clip_3p"]]
                if not low <= len(insert) <= high:
                    continue
            elif untrimmed or not low <= len(read) <= high or len(read) >= longest:
                continue
            else:
                insert = read
            fits[name][0] += count
            fits[name][1] += count * (insert in MATURE)
    return {name: tuple(counts) for name, counts in fits.items()}


@pytest.mark.parametrize("relative_path", [path for path, _ in REAL_FILES])
def test_evidence_equals_the_kit_by_kit_aligner_fit_on_real_reads(relative_path):
    reads = first_reads([READS / relative_path], 20_000)
    detection = gather_evidence(reads, KITS, MATURE, 0.1)
    observed = {name: (evidence.supported, evidence.mirna_exact) for name, evidence in detection.evidence.items()}
    assert observed == reference_evidence(reads)
    assert max(supported for supported, _ in observed.values()) > 0


def test_truseq_reads_tie_with_kits_of_the_same_layout_but_not_with_nextflex_v3():
    decision = run_detection(READS / "exRNAQC017_serum_plasma" / "RNA014937_S1_R1.fastq.gz")
    assert decision["tied_with"] == ["nextflex_v4", "lexogen"]
    assert "cannot tell truseq from nextflex_v4, lexogen" in decision["notes"][0]
    # Clipping 4 + 4 nt leaves most 22-nt plasma inserts below 16 nt.
    assert decision["support_by_kit"]["nextflex_v3"] < decision["support"] - 0.5


def test_declared_kit_is_used_but_a_contradiction_is_a_warning():
    nebnext_reads = READS / "optimir_example" / "S1.fq.gz"
    decision = run_detection(nebnext_reads, declared="truseq")
    assert decision["kit"] == "truseq" and decision["preset"] == KITS["truseq"]
    assert decision["detected"] == "nebnext"
    assert decision["warnings"] == [
        f"declared kit truseq fits 0.0% of the reads, but nebnext fits {decision['support']:.1%}"
    ]
    consistent = run_detection(READS / "exRNAQC017_serum_plasma" / "RNA014937_S1_R1.fastq.gz", declared="lexogen")
    assert consistent["kit"] == "lexogen" and consistent["warnings"] == []


def random_reads(count, length, seed=3):
    rng = np.random.default_rng(seed)
    return ["".join(row) for row in rng.choice(list("ACGT"), size=(count, length))]


def test_random_sequence_fails_auto_naming_the_sample_and_candidates():
    detection = gather_evidence(Counter(random_reads(2000, 75)), KITS, MATURE, 0.1)
    best = max(detection.support(name) for name in KITS)
    assert best < 0.02
    with pytest.raises(
        KitDetectionError, match=r"sample 'noise': no library kit explains at least 30%.*best candidates: "
    ):
        choose_kit("noise", AUTO, detection, list(KITS), MIN_FRACTION)
    declared = choose_kit("noise", "truseq", detection, list(KITS), MIN_FRACTION)
    assert declared["kit"] == "truseq" and declared["warnings"][0].startswith("no kit explains 30% of the reads")


def test_detection_reads_only_the_first_reads():
    decision = detect(
        "s", AUTO, [READS / "mintmap_example" / "exampleInput.fastq.gz"], KITS, MATURE, 500, MIN_FRACTION, 0.1
    )
    assert decision["reads_inspected"] == 500


def test_detection_reads_every_lane_up_to_the_limit():
    lanes = sorted((READS / "exRNAQC017_serum_plasma").glob("*.fastq.gz"))
    decision = detect("s", AUTO, lanes, KITS, MATURE, MAX_READS, MIN_FRACTION, 0.1)
    assert decision["reads_inspected"] == 30_000


def test_evidence_of_identical_reads_counts_every_read():
    """Detection sees each distinct read once with its count: the same support as read by read."""
    adapter = KITS["truseq"]["adapter_3p"]
    reads = ["TAGCAGCACGTAAATATTGGCG" + adapter + "ATCTCGTATG"] * 3 + ["A" * 40]
    one_by_one = [gather_evidence(Counter([read]), KITS, MATURE, 0.1) for read in reads]
    together = gather_evidence(Counter(reads), KITS, MATURE, 0.1)
    assert together.reads == 4
    for name in (name for name, kit in KITS.items() if kit["adapter_3p"]):
        assert together.evidence[name].supported == sum(d.evidence[name].supported for d in one_by_one), name
    assert together.support("truseq") == 0.75 and together.mirna_exact("truseq") == 0.75


def test_kit_presets_are_complete_and_sourced():
    assert {
        "truseq",
        "nebnext",
        "qiaseq",
        "nextflex_v3",
        "nextflex_v4",
        "cats",
        "lexogen",
        "illumina_v15",
        "none",
    } <= set(KITS)
    for name, kit in KITS.items():
        assert len(kit["source"]) > 40, name
        low, high = kit["insert_length"]
        assert 0 < low < high, name
    assert KITS["nextflex_v3"]["clip_5p"] == KITS["nextflex_v3"]["clip_3p"] == 4
    assert KITS["cats"]["clip_5p"] == 3 and KITS["cats"]["polya"]


def test_auto_cannot_name_a_kit(tmp_path):
    kits_file = tmp_path / "kits.yaml"
    kits_file.write_text((REPO / "resources" / "kits.yaml").read_text() + "\nauto:\n  name: x\n")
    with pytest.raises(ValueError, match="'auto' is reserved"):
        load_kits(kits_file)


@pytest.mark.parametrize(
    "change, message",
    [
        ({"clip_5p": -1}, r"kit 'truseq', key 'clip_5p': -1 is less than the minimum of 0"),
        ({"adapter_3p": "TGGAATTCUCGG"}, r"kit 'truseq', key 'adapter_3p'"),
        ({"insert_length": [16]}, r"kit 'truseq', key 'insert_length'"),
        ({"colour": "red"}, r"kit 'truseq': Additional properties are not allowed \('colour' was unexpected\)"),
        ({"insert_length": [30, 20]}, r"kit 'truseq': insert_length \[30, 20\] is not \[min, max\]"),
    ],
)
def test_kit_file_errors_name_the_file_kit_and_key(tmp_path, change, message):
    kits = yaml.safe_load((REPO / "resources" / "kits.yaml").read_text())
    kits["truseq"].update(change)
    path = tmp_path / "kits.yaml"
    path.write_text(yaml.safe_dump(kits))
    with pytest.raises(ValueError, match=rf"{path}: {message}"):
        load_kits(path)


def test_kit_without_a_required_key_is_named(tmp_path):
    kits = yaml.safe_load((REPO / "resources" / "kits.yaml").read_text())
    del kits["nebnext"]["source"]
    path = tmp_path / "kits.yaml"
    path.write_text(yaml.safe_dump(kits))
    with pytest.raises(ValueError, match=rf"{path}: kit 'nebnext': 'source' is a required property"):
        load_kits(path)
