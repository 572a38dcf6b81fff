import gzip
import re
import subprocess
import sys

import dnaio
import numpy as np
import pytest

import exomir.devtools.reads as sim
from exomir.common.fasta import read_fasta
from exomir.devtools.runs import SHARED_DATA  # noqa: E402
from exomir.inserts.kits import load_kits

TRNA_FASTA = SHARED_DATA / "references" / "contaminants" / "tRNA" / "tRNA_reference_Homo_sapiens_mirtrace.fa"
RRNA_FASTA_GZ = SHARED_DATA / "references" / "contaminants" / "rRNA" / "hsa_rRNA_RNAcentral_SCRAP.fasta.gz"
KITS = load_kits(sim.DEFAULT_KITS)


@pytest.fixture(scope="module")
def matures():
    return sim.read_mature_sequences(sim.DEFAULT_MATURE)


@pytest.fixture(scope="module")
def hairpins():
    return read_fasta(sim.DEFAULT_HAIRPIN)


def simulate_to_files(tmp_path, kit_name, matures, hairpins, n_reads=1000, **options):
    """Simulate, write FASTQ + truth, and read both back: (reads as list of str, truth)."""
    library = sim.simulate(KITS[kit_name], matures, hairpins, n_reads, seed=7, **options)
    fastq, truth = tmp_path / f"{kit_name}.fastq.gz", tmp_path / f"{kit_name}.truth.tsv"
    sim.write_chunks(sim.fastq_chunks(library), fastq)
    sim.write_chunks(sim.truth_chunks(library), truth)
    with dnaio.open(fastq) as records:
        reads = [(record.name, record.sequence, record.qualities) for record in records]
    table = sim.read_truth(truth)
    assert [name for name, _, _ in reads] == list(table["read_id"])
    return [sequence for _, sequence, _ in reads], table


@pytest.mark.parametrize("kit_name", sorted(KITS))
def test_every_kit_puts_the_insert_then_its_adapter(tmp_path, kit_name, matures, hairpins):
    kit = KITS[kit_name]
    reads, truth = simulate_to_files(tmp_path, kit_name, matures, hairpins, error_rate=0, random_fraction=0.05)
    assert len(reads) == len(truth) == 1000
    adapter = kit["adapter_3p"] or ""
    for read, (insert, umi) in zip(reads, truth[["insert", "umi"]].itertuples(index=False)):
        assert read[kit["clip_5p"] : kit["clip_5p"] + len(insert)] == insert
        if not adapter:
            assert read == insert
            continue
        assert len(read) == 75
        after_insert = read[kit["clip_5p"] + len(insert) + kit["clip_3p"] :]
        if kit["polya"]:
            poly_a = len(after_insert) - len(after_insert.lstrip("A"))
            assert poly_a >= min(sim.POLYA_LENGTH[0] + len(adapter), len(after_insert))
        else:
            assert after_insert.startswith(adapter[: len(after_insert)])
        if kit["umi"]:
            assert len(umi) == kit["umi"]["length"]
        else:
            assert umi == ""


def test_nextflex_v3_has_four_random_bases_on_both_sides(tmp_path, matures, hairpins):
    reads, truth = simulate_to_files(tmp_path, "nextflex_v3", matures, hairpins, error_rate=0)
    adapter = KITS["nextflex_v3"]["adapter_3p"]
    left, right = set(), set()
    for read, insert in zip(reads, truth["insert"]):
        assert read[4 : 4 + len(insert)] == insert
        assert read[8 + len(insert) :].startswith(adapter[: 75 - 8 - len(insert)])
        left.add(read[:4])
        right.add(read[4 + len(insert) : 8 + len(insert)])
    # 1000 draws of 4 random nt cover most of the 256 possibilities.
    assert len(left) > 200 and len(right) > 200


def test_qiaseq_reads_are_insert_adapter_umi_then_adapter(tmp_path, matures, hairpins):
    kit = KITS["qiaseq"]
    reads, truth = simulate_to_files(tmp_path, "qiaseq", matures, hairpins, error_rate=0)
    expected_prefixes = 0
    for read, insert, umi in zip(reads, truth["insert"], truth["umi"]):
        expected = insert + kit["adapter_3p"] + umi + kit["umi"]["then_adapter"]
        assert read.startswith(expected[:75])
        expected_prefixes += len(expected) <= 75
    assert expected_prefixes > 900  # most inserts leave room for the whole layout
    assert truth["umi"].str.fullmatch("[ACGT]{12}").all()


def test_cats_reads_are_three_bases_insert_and_poly_a(tmp_path, matures, hairpins):
    reads, truth = simulate_to_files(tmp_path, "cats", matures, hairpins, error_rate=0)
    polya_lengths = []
    for read, insert in zip(reads, truth["insert"]):
        assert read[3 : 3 + len(insert)] == insert
        tail = read[3 + len(insert) :]
        polya_lengths.append(len(tail) - len(tail.lstrip("A")))
    # poly(A) tail plus the A10 adapter: at least 20 A, unless the read ends first.
    assert min(polya_lengths) >= min(20, 75 - 3 - truth["insert"].str.len().max())
    assert len({read[:3] for read in reads}) > 40


def test_none_kit_gives_bare_inserts_of_varying_length(tmp_path, matures, hairpins):
    reads, truth = simulate_to_files(tmp_path, "none", matures, hairpins, error_rate=0, random_fraction=0.1)
    assert reads == list(truth["insert"])
    assert len({len(read) for read in reads}) > 5


def test_same_seed_gives_identical_gzip_files(tmp_path):
    outputs = []
    for run, seed in (("a", 3), ("b", 3), ("c", 4)):
        directory = tmp_path / run
        arguments = ["--kit", "qiaseq", "--reads", "500", "--seed", str(seed)]
        arguments += ["--fastq", str(directory / "reads.fastq.gz"), "--truth", str(directory / "truth.tsv.gz")]
        sim.main(arguments)
        outputs.append([(directory / name).read_bytes() for name in ("reads.fastq.gz", "truth.tsv.gz")])
    assert outputs[0] == outputs[1]
    assert outputs[0][0] != outputs[2][0]
    assert outputs[0][0][4:8] == b"\0\0\0\0"  # gzip mtime
    assert gzip.decompress(outputs[0][0]).count(b"\n") == 4 * 500


def test_umi_kit_has_pcr_duplicates_of_molecules(matures, hairpins):
    library = sim.simulate(KITS["qiaseq"], matures, hairpins, 3000, seed=1, mean_pcr_copies=3.0)
    truth = sim.truth_table(library)
    assert len(truth) == 3000
    n_molecules = truth["molecule"].nunique()
    assert 3000 / n_molecules == pytest.approx(3.0, rel=0.15)
    per_molecule = truth.groupby("molecule")[["insert", "umi", "name"]].nunique()
    assert (per_molecule == 1).all().all()
    counts = sim.true_counts(truth)
    assert (counts["molecules"] <= counts["reads"]).all()
    assert counts["reads"].sum() > counts["molecules"].sum()


def test_kits_without_umi_have_one_read_per_molecule(matures, hairpins):
    truth = sim.truth_table(sim.simulate(KITS["truseq"], matures, hairpins, 500, seed=1))
    assert list(truth["molecule"]) == list(range(500))
    counts = sim.true_counts(truth)
    assert (counts["reads"] == counts["molecules"]).all()


def test_substitution_rate_is_as_requested(matures, hairpins):
    def reads(error_rate):
        library = sim.simulate(KITS["truseq"], matures, hairpins, 20000, seed=5, error_rate=error_rate)
        return np.concatenate([codes for _, codes in sim.read_chunks(library)])

    clean, noisy = reads(0.0), reads(0.01)
    assert clean.shape == noisy.shape == (20000, 75)
    assert (clean != noisy).mean() == pytest.approx(0.01, rel=0.1)


def test_error_rate_drawn_per_read_spans_its_range(matures, hairpins):
    def reads(**rates):
        library = sim.simulate(KITS["truseq"], matures, hairpins, 20000, seed=5, **rates)
        return np.concatenate([codes for _, codes in sim.read_chunks(library)])

    clean, noisy = reads(error_rate=0.0), reads(error_rate=0.001, max_error_rate=0.01)
    per_read = (clean != noisy).mean(axis=1)
    assert per_read.mean() == pytest.approx(0.0055, rel=0.1)  # the middle of the range
    same = (clean != reads(error_rate=0.01, max_error_rate=0.01)).mean()
    assert same == pytest.approx(0.01, rel=0.1)  # a range of one rate is that rate
    with pytest.raises(ValueError, match="not a range"):
        reads(error_rate=0.01, max_error_rate=0.001)


def test_adapter_dimers_are_reads_that_start_with_the_adapter(tmp_path, matures, hairpins):
    reads, truth = simulate_to_files(tmp_path, "truseq", matures, hairpins, 2000, dimer_fraction=0.1, error_rate=0)
    dimers = truth["biotype"] == sim.DIMER_BIOTYPE
    assert 0.07 < dimers.mean() < 0.13
    assert (truth.loc[dimers, "insert"] == "").all() and (truth.loc[dimers, "kind"] == "dimer").all()
    assert all(reads[index].startswith(KITS["truseq"]["adapter_3p"]) for index in np.flatnonzero(dimers))


def test_high_diversity_fragments_come_from_trna_rrna_y_rna_and_ncrna(tmp_path):
    fastq, truth = tmp_path / "high.fastq.gz", tmp_path / "high.truth.tsv.gz"
    sim.main(
        ["--kit", "truseq", "--reads", "20000", "--diversity", "high", "--fastq", str(fastq), "--truth", str(truth)]
    )
    table = sim.read_truth(truth)
    shares = table["biotype"].value_counts(normalize=True)
    for biotype in ("tRNA", "rRNA", "Y_RNA", "ncRNA"):
        assert shares[biotype] == pytest.approx(0.3 / 4, abs=0.01)
    assert shares[sim.DIMER_BIOTYPE] == pytest.approx(0.02, abs=0.005)
    y_rna = sim.fragment_sources()["Y_RNA"][1]
    fragments = table[table["biotype"] == "Y_RNA"]
    assert set(fragments["name"]) <= set(y_rna)
    assert all(insert in y_rna[name] for name, insert in zip(fragments["name"][:200], fragments["insert"][:200]))


def test_umi_error_rate_is_separate(matures, hairpins):
    def reads_and_umi_start(umi_error_rate):
        library = sim.simulate(
            KITS["qiaseq"], matures, hairpins, 20000, seed=5, error_rate=0.0, umi_error_rate=umi_error_rate
        )
        codes = np.concatenate([codes for _, codes in sim.read_chunks(library)])
        umi_start = library.template_length[library.molecule_of_read] + len(library.before_umi)
        return codes, umi_start

    clean, umi_start = reads_and_umi_start(0.0)
    noisy, _ = reads_and_umi_start(0.05)
    in_umi = (np.arange(75) >= umi_start[:, None]) & (np.arange(75) < umi_start[:, None] + 12)
    differs = clean != noisy
    assert not differs[~in_umi].any()
    assert differs[in_umi].mean() == pytest.approx(0.05, rel=0.1)


def test_contaminant_fragments_come_from_their_fasta(tmp_path, matures, hairpins):
    contaminants = {"tRNA": (TRNA_FASTA, read_fasta(TRNA_FASTA)), "rRNA": (RRNA_FASTA_GZ, read_fasta(RRNA_FASTA_GZ))}
    _, truth = simulate_to_files(
        tmp_path, "truseq", matures, hairpins, 4000, contaminants=contaminants, contaminant_fraction=0.4
    )
    for biotype, (_, records) in contaminants.items():
        fragments = truth[truth["biotype"] == biotype]
        assert len(fragments) / len(truth) == pytest.approx(0.2, abs=0.03)
        assert (fragments["kind"] == "fragment").all()
        assert fragments["insert"].str.len().between(16, 40).all()
        for name, insert in zip(fragments["name"], fragments["insert"]):
            # Symbols other than A/C/G/T (miRTrace marks some bases with "_") are read as N.
            assert insert in re.sub("[^ACGT]", "N", records[name])
    assert set(truth["biotype"]) == {"miRNA", "tRNA", "rRNA"}


def test_isomirs_are_true_to_their_kind(matures, hairpins):
    library = sim.simulate(KITS["none"], matures, hairpins, 5000, seed=2, error_rate=0, isomir_fraction=0.8)
    truth = sim.truth_table(library)
    kinds = truth["kind"].value_counts()
    assert set(kinds.index) == set(sim.ISOMIR_KINDS)
    assert kinds["canonical"] / len(truth) == pytest.approx(0.2, abs=0.03)
    hairpin_text = "|".join(hairpins.values())
    for name, kind, insert in truth[["name", "kind", "insert"]].itertuples(index=False):
        mature = matures[name]
        if kind == "canonical":
            assert insert == mature
        elif kind in ("isomiR-5p", "isomiR-3p"):
            assert 1 <= abs(len(insert) - len(mature)) <= 2
            assert insert in hairpin_text
            if kind == "isomiR-5p":
                assert insert.endswith(mature) or mature.endswith(insert)
            else:
                assert insert.startswith(mature) or mature.startswith(insert)
        elif kind == "nta":
            assert insert[: len(mature)] == mature and insert[len(mature) :] in sim.NON_TEMPLATED_TAILS
        else:
            assert len(insert) == len(mature)
            mismatches = [i for i, (a, b) in enumerate(zip(insert, mature)) if a != b]
            assert len(mismatches) == 1 and 0 < mismatches[0] < len(mature) - 1


def test_templated_extension_uses_the_hairpin_flank():
    extend_two = sim.END_SHIFTS.index(2)
    assert sim.isomir_sequence("ACGTACGTAC", "isomiR-5p", extend_two, "TTG", "CAA") == "TGACGTACGTAC"
    assert sim.isomir_sequence("ACGTACGTAC", "isomiR-3p", extend_two, "TTG", "CAA") == "ACGTACGTACCA"
    # No flank: the end is trimmed instead.
    assert sim.isomir_sequence("ACGTACGTAC", "isomiR-3p", extend_two, "", "") == "ACGTACGT"
    assert sim.hairpin_flanks({"m": "CCCGGG"}, {"h": "AATTCCCGGGTA"}) == {"m": ("TT", "TA")}


def test_default_profile_puts_plasma_mirnas_on_top(matures, hairpins):
    profile = sim.plasma_profile(sorted(matures), np.random.default_rng(0))
    assert len(profile) == sim.DEFAULT_PROFILE_SIZE
    ranked = sorted(profile, key=profile.get, reverse=True)
    assert ranked[: len(sim.PLASMA_TOP_MIRNAS)] == list(sim.PLASMA_TOP_MIRNAS)
    truth = sim.truth_table(sim.simulate(KITS["truseq"], matures, hairpins, 5000, seed=9))
    assert sim.true_counts(truth).index[0] == "hsa-miR-486-5p"


def test_truth_counts_add_up(tmp_path, matures, hairpins):
    profile_path = tmp_path / "profile.tsv"
    profile_path.write_text("mirna\tweight\nhsa-miR-21-5p\t3\nhsa-miR-16-5p\t1\n")
    profile = sim.read_profile(profile_path, matures)
    library = sim.simulate(KITS["nebnext"], matures, hairpins, 4000, seed=4, random_fraction=0.1, profile=profile)
    truth = sim.truth_table(library)
    counts = sim.true_counts(truth)
    assert set(counts.index) == {"hsa-miR-21-5p", "hsa-miR-16-5p"}
    assert counts["reads"].sum() + (truth["biotype"] == "random").sum() == 4000
    assert counts.loc["hsa-miR-21-5p", "reads"] / counts["reads"].sum() == pytest.approx(0.75, abs=0.03)


def test_bad_profile_row_is_reported(tmp_path, matures):
    profile_path = tmp_path / "profile.tsv"
    profile_path.write_text("hsa-miR-21-5p\t3\nhsa-miR-nonexistent\t1\n")
    with pytest.raises(ValueError, match=r"profile.tsv, row 2: hsa-miR-nonexistent"):
        sim.read_profile(profile_path, matures)


def test_cli_help_runs():
    result = subprocess.run(
        [sys.executable, "-m", "exomir.devtools.reads", "--help"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "--contaminant BIOTYPE=FASTA" in result.stdout
