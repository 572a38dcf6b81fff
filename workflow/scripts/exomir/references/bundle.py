"""The reference bundle (resources/bundle/): tables the project derives from public primary
sources so that a clone runs the full analysis without them. Rules in workflow/rules/bundle.smk
rebuild each file under results/bundle/ from its source; a test checks the rebuild equals the
committed file, and resources/bundle/MANIFEST.tsv gives each file's source, version, licence and
checksum.

- Annotation sets: the records of each source in order, identical sequences kept once (the
  first name wins), FASTA headers kept whole (the ncRNA biotypes are read from them); ncRNA
  records of gene_type miRNA dropped (the hairpins are the miRNA reference); spike-ins from CSV.
- Tissue reference: the configured tissue columns of the miRTS signature matrix.
- QC reference: median and MAD of the read-scale hemolysis indices of the healthy exRNAQC017
  libraries per biofluid, tube and RNA isolation kit (exomir.qc.healthy).
- Mouse markers: the human marker table mapped to the mouse matures of identical sequence.
- Healthy baselines: the exRNAQC017 counts, one table per blood collection tube and RNA
  isolation kit (15 libraries each), with the protocol of each in an index table, and all 90;
  `libraries.tsv` gives each library's donor, biofluid, tube, RNA isolation and library kit, so
  that tumour origin judges only samples of that protocol and cross-validates by donor.
Files are written reproducibly: gzip without a time stamp, fixed row order.
"""

import csv
import fnmatch
import gzip
import hashlib
import io
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path

import dnaio
import pandas as pd

from exomir.references.annotation import clean_sequence, ncrna_biotype, read_spike_ins

BASELINE_PROTOCOL_COLUMNS = ["Tube", "RNAisolation", "LibraryPrep", "PlasmaInputV", "RNAinputV"]
# The library kit of exRNAQC017 (LibraryPrep "SmallRNA" in its annotation) as a kit of resources/kits.yaml:
# exomir's kit detection gives truseq on its reads (support 0.97-0.98 on RNA014937-39, tests/workflow).
EXRNAQC017_KIT = "truseq"


def fasta_records(path: str | os.PathLike) -> Iterator[tuple[str, str]]:
    """(whole header, sequence in DNA capitals) of every record of a FASTA file."""
    with dnaio.open(path) as fasta:
        for record in fasta:
            yield record.name, clean_sequence(record.sequence, path, record.name.split()[0])


def annotation_set(kind: str, paths: Sequence[str | os.PathLike]) -> list[tuple[str, str]]:
    """The deduplicated records of one annotation set (`spike_ins`, `artifacts`, `trna`, `rrna` or `ncrna`)."""
    records: list[tuple[str, str]] = []
    for path in paths:
        if kind == "spike_ins":
            records += read_spike_ins(path)
            continue
        for number, (header, sequence) in enumerate(fasta_records(path), start=1):
            if kind == "ncrna" and ncrna_biotype(header, path, number) is None:
                continue
            records.append((header, sequence))
    seen: set[str] = set()
    kept = []
    for header, sequence in records:
        if sequence not in seen:
            seen.add(sequence)
            kept.append((header, sequence))
    return kept


def write_fasta_gz(records: Iterable[tuple[str, str]], handle: io.BufferedIOBase) -> None:
    """Gzipped FASTA without a file name or time stamp, so that the same records give the same bytes."""
    with gzip.GzipFile(filename="", fileobj=handle, mode="wb", mtime=0, compresslevel=9) as out:
        out.write("".join(f">{header}\n{sequence}\n" for header, sequence in records).encode())


def tissue_reference(path: str | os.PathLike, tissues: Sequence[str]) -> pd.DataFrame:
    """The miRTS signature matrix restricted to `tissues`, in that order."""
    matrix = pd.read_csv(path, index_col=0)
    missing = [tissue for tissue in tissues if tissue not in matrix.columns]
    if missing:
        raise ValueError(f"{path}: no column for tissue(s) {', '.join(missing)}")
    return matrix[list(tissues)]


def healthy_baselines(
    counts_path: str | os.PathLike, annotation_path: str | os.PathLike
) -> tuple[dict[str, pd.DataFrame], pd.DataFrame, pd.DataFrame]:
    """({name: MIMAT × library counts}, index of the tables with their protocol, the libraries with theirs).

    One table per tube and RNA isolation kit, and `all`. Libraries without a count column are
    left out; empty cells are zero counts; rows without any count are dropped."""
    counts = pd.read_csv(counts_path, sep="\t", index_col=0).fillna(0)
    counts = counts[(counts.sum(axis=1) > 0)].astype(int).sort_index()
    annotation = pd.read_csv(annotation_path, sep="\t", dtype=str, keep_default_na=False)
    annotation = annotation[annotation["RNAID"].isin(counts.columns)].drop_duplicates("RNAID")
    tables, index = {"all": counts}, []
    index.append({"table": "all", "biofluid": "serum+plasma", "libraries": counts.shape[1], "Tube": "all"})
    for (tube, isolation), members in annotation.groupby(["Tube", "RNAisolation"]):
        name = f"{tube.lower()}_{isolation.lower()}"
        libraries = sorted(members["RNAID"])
        tables[name] = counts[libraries]
        row = {"table": name, "biofluid": "serum" if tube.lower() == "serum" else "plasma", "libraries": len(libraries)}
        for column in BASELINE_PROTOCOL_COLUMNS:
            row[column] = ";".join(sorted(set(members[column])))
        index.append(row)
    columns = ["table", "biofluid", "libraries", *BASELINE_PROTOCOL_COLUMNS]
    libraries = pd.DataFrame(
        {
            "library": annotation["RNAID"],
            "donor": annotation["Donor"],
            "biofluid": annotation["Tube"].map(lambda tube: "serum" if tube.lower() == "serum" else "plasma"),
            "tube": annotation["Tube"],
            "rna_isolation": annotation["RNAisolation"],
            "library_prep": annotation["LibraryPrep"],
            "kit": EXRNAQC017_KIT,
        }
    ).sort_values("library")
    return tables, pd.DataFrame(index).reindex(columns=columns).fillna(""), libraries


def write_tsv_gz(table: pd.DataFrame, handle: io.BufferedIOBase) -> None:
    """A TSV, gzipped without a file name or time stamp."""
    with gzip.GzipFile(filename="", fileobj=handle, mode="wb", mtime=0, compresslevel=9) as out:
        out.write(table.to_csv(sep="\t", quoting=csv.QUOTE_MINIMAL).encode())


# Where each bundle file comes from: (file pattern under resources/bundle/, source files under
# ../shared/data, upstream repository and version, licence stated there, rule that builds it).
SOURCES = (
    (
        "annotation/spike_ins.fa.gz",
        "references/contaminants/spikeins/exRNAQC_small_spike_sequences.csv",
        "github.com/OncoRNALab/exRNAQC resources/spike_sequences.csv @2e5aafd",
        "BSD-3-Clause",
        "bundle_annotation",
    ),
    (
        "annotation/artifacts.fa.gz",
        "references/contaminants/artifacts/adapters_exceRpt.fa; references/contaminants/artifacts/phiX_exceRpt.fa; "
        "references/contaminants/artifacts/artifact_sequences_mirtrace.fa; "
        "references/contaminants/artifacts/known_adapters_nf-core-smrnaseq.fa",
        "github.com/rkitchen/exceRpt build/DATABASE @6df9a6a; github.com/friedlanderlab/mirtrace @87a50b8; "
        "github.com/nf-core/smrnaseq assets/known_adapters.fa @5002f79",
        "GPL-3 (exceRpt); GPLv3 (miRTrace); MIT (nf-core/smrnaseq)",
        "bundle_annotation",
    ),
    (
        "annotation/trna.fa.gz",
        "references/contaminants/tRNA/hg38-tRNAs_GtRNAdb_tsRNAsearch.fa",
        "GtRNAdb hg38 tRNA genes via github.com/GiantSpaceRobot/tsRNAsearch DBs/hg38-tRNAs.fa @2723544",
        "MIT (tsRNAsearch); GtRNAdb states no licence",
        "bundle_annotation",
    ),
    (
        "annotation/rrna.fa.gz",
        "references/contaminants/rRNA/hsa_rRNA_RNAcentral_SCRAP.fasta.gz; "
        "references/contaminants/rRNA/human_rDNA_GL000220_exRNAQC.fa",
        "RNAcentral human rRNAs via github.com/Meffert-Lab/SCRAP @c2978fc; rDNA contig (hg38 GL000220) via "
        "github.com/OncoRNALab/exRNAQC @2e5aafd",
        "none stated (SCRAP); BSD-3-Clause (exRNAQC)",
        "bundle_annotation",
    ),
    (
        "annotation/ncrna.fa.gz",
        "references/contaminants/ncRNA/human_tRNAs-and-ncRNAs_relative_cdhit_tsRNAsearch.fa.gz",
        "GENCODE small ncRNAs (cd-hit) via github.com/GiantSpaceRobot/tsRNAsearch @acffe2b",
        "MIT (tsRNAsearch); GENCODE data are open",
        "bundle_annotation",
    ),
    (
        "tissue_reference.csv",
        "scoring/tissue-atlas-miRTS/Signature_matrix.csv",
        "miRTS signature matrix v1 (miRNATissueAtlas2) github.com/li-wending/miRTS @2fbe276",
        "MIT",
        "bundle_tables",
    ),
    (
        "healthy_baselines/*",
        "expected/exRNAQC017/allmiRs_subs.txt; expected/exRNAQC017/Annotation_exRNAQC017.tsv",
        "exRNAQC017 (ArrayExpress E-MTAB-12542) github.com/OncoRNALab/exRNAQC @6a99613 and @2e5aafd",
        "BSD-3-Clause",
        "bundle_tables",
    ),
    (
        "qc/healthy_blood_indices.tsv",
        "expected/exRNAQC017/allmiRs_subs.txt; expected/exRNAQC017/Annotation_exRNAQC017.tsv",
        "exRNAQC017 (ArrayExpress E-MTAB-12542) github.com/OncoRNALab/exRNAQC @6a99613 and @2e5aafd; the project's "
        "resources/signatures/background_markers.tsv and resources/mirbase-v22-hsa/mature.fa",
        "BSD-3-Clause",
        "bundle_qc_reference",
    ),
    (
        "markers/mmu_background_markers.tsv",
        "references/mirbase-v22.1-all-species/mature.fa.gz",
        "miRBase v22.1 all-species mature.fa via github.com/Meffert-Lab/SCRAP @6a22952; the project's "
        "resources/signatures/background_markers.tsv and resources/mirbase-v22-hsa/mature.fa",
        "none stated (SCRAP); miRBase data are free to use",
        "bundle_markers",
    ),
    (
        "atlas/*",
        "scoring/tcga-mirnaseq/tcga_mirna_rpm.tsv.gz; scoring/tcga-mirnaseq/tcga_mirna_samples.tsv",
        "TCGA miRNA-seq RPM via the RTCGA.miRNASeq package (see scoring/PROVENANCE.tsv)",
        "GPL-2 (RTCGA.miRNASeq); TCGA data are open access",
        "tcga_atlas, bundle_atlas",
    ),
)
MANIFEST_COLUMNS = ["file", "bytes", "sha256", "source", "source_sha256", "upstream", "licence", "rule"]


def sha256(path: str | os.PathLike) -> str:
    """The SHA-256 of a file, in hex."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def manifest(bundle: str | os.PathLike, shared_data: str | os.PathLike) -> pd.DataFrame:
    """One row per bundle file: its size and checksum, and its sources with theirs."""
    bundle, rows = Path(bundle), []
    for path in sorted(path for path in bundle.rglob("*") if path.is_file() and not path.name.startswith(".")):
        name = str(path.relative_to(bundle))
        if name == "MANIFEST.tsv":
            continue
        pattern, sources, upstream, licence, rule = next(
            source for source in SOURCES if fnmatch.fnmatch(name, source[0])
        )
        source_paths = [Path(shared_data, source.strip()) for source in sources.split(";")]
        rows.append(
            {
                "file": name,
                "bytes": path.stat().st_size,
                "sha256": sha256(path),
                "source": sources,
                "source_sha256": "; ".join(sha256(source) for source in source_paths),
                "upstream": upstream,
                "licence": licence,
                "rule": rule,
            }
        )
    return pd.DataFrame(rows, columns=MANIFEST_COLUMNS)


def ortholog_markers(
    markers: pd.DataFrame, human_mature: Mapping[str, str], species_mature: Mapping[str, str]
) -> tuple[pd.DataFrame, list[str]]:
    """The marker table for another species: each human marker replaced by the one mature of that
    species with the identical sequence, its citation prefixed with how it was mapped; and the
    human markers left out (no such mature, or several)."""
    by_sequence: dict[str, list[str]] = {}
    for name, sequence in species_mature.items():
        by_sequence.setdefault(sequence, []).append(name)
    rows, left_out = [], []
    for row in markers.itertuples(index=False):
        matches = by_sequence.get(human_mature.get(row.mirna, ""), [])
        if len(matches) != 1:
            left_out.append(row.mirna)
            continue
        rows.append(
            row._replace(
                mirna=matches[0],
                citation=f"ortholog of {row.mirna} (identical mature sequence, miRBase v22.1); {row.citation}",
            )
        )
    return pd.DataFrame(rows, columns=markers.columns), left_out
