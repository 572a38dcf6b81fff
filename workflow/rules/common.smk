# Config and sample sheet, validated before any job starts, and the helpers the rules share.
import re
import sys
from pathlib import Path

from snakemake.exceptions import WorkflowError
from snakemake.utils import validate

# The workflow's own package, whichever directory Snakemake runs in and however the workflow
# is used (directly, as a module, deployed).
sys.path.insert(0, str(Path(workflow.current_basedir).parent / "scripts"))

from exomir.common.config import check_config, resolve_paths
from exomir.common.samplesheet import lanes, load_sample_sheet
from exomir.counts.imported import MirnaNames, read_counts_table
from exomir.inserts.kits import load_kits

# The schema fills in the default of every key a config leaves out.
validate(config, "../schemas/config.schema.yaml", set_default=True)
# Relative paths: the working directory first, then the workflow's repository (shipped resources).
config.update(resolve_paths(config, Path(workflow.current_basedir).parents[1]))
# Checks a schema cannot express: ordered thresholds, existing files; every problem at once.
check_config(config)
KITS = load_kits(config["kits"])
# A run from a count table has no reads: rule import_counts writes the counts from the table, and the
# steps that need reads are left out (their rules' inputs, the report's read sections).
FROM_COUNTS_TABLE = bool(config["counts_table"])
# Every problem names the file, row and column.
SAMPLES = load_sample_sheet(
    config["samples"],
    KITS,
    default_kit=config["kit_detection"]["default_kit"],
    counts_table=config["counts_table"],
)


def mirna_names():
    """The miRNA names a count table is matched against: the configured miRBase references."""
    references = config["references"]
    return MirnaNames.from_references(references["mature"], references["hairpin"], references["species_prefix"])


if FROM_COUNTS_TABLE:
    # The whole table is checked against the sheet and the references before any job starts.
    read_counts_table(config["counts_table"], list(SAMPLES.index), mirna_names(), sheet=config["samples"])


wildcard_constraints:
    sample="|".join(map(re.escape, SAMPLES.index)),


def fastq_lanes(wildcards):
    if FROM_COUNTS_TABLE:  # no job that reads FASTQ files can run
        raise WorkflowError(f"sample {wildcards.sample} has no reads: the run counts {config['counts_table']}")
    return lanes(SAMPLES.loc[wildcards.sample, "fastq"])


def from_reads(files):
    """`files` as a rule input when the counts come from reads; none in a run from a count table."""
    return when(not FROM_COUNTS_TABLE, files)


def declared_kit(wildcards):
    """The sample sheet's kit: a kits.yaml key, or `auto` (decided by rule inserts)."""
    return SAMPLES.loc[wildcards.sample, "kit"]


def bowtie_prefix(index_files):
    """The prefix bowtie knows an index by, from its list of .ebwt files."""
    return str(index_files[0]).removesuffix(".1.ebwt")


def grow_with_attempt(base_mb):
    """A rule's mem_mb: base_mb on the first attempt, base_mb more on each retry.

    With `retries` set (workflow/profiles/slurm), a job killed for exceeding its memory
    is resubmitted with a larger request instead of failing the run.
    """

    def mem_mb(wildcards, attempt):
        return base_mb * attempt

    return mem_mb


ANNOTATION_SETS = ("spike_ins", "artifacts", "trna", "rrna", "ncrna")


def annotation_files():
    """Every FASTA/CSV of the configured annotation sets (empty lists: not annotated)."""
    return [path for key in ANNOTATION_SETS for path in config["annotation"][key]]


def sample_sheet_records():
    return SAMPLES.to_dict(orient="records")


# References a part of the analysis needs; without them it is skipped and the outputs say so.
HAS_HEALTHY_BASELINE = bool(config["score"]["healthy_baseline"])
BUILDS_TUMOUR_ATLAS = bool(config["score"]["tcga_rpm"] and config["score"]["tcga_samples"])
HAS_TUMOUR_ATLAS = HAS_HEALTHY_BASELINE and (BUILDS_TUMOUR_ATLAS or bool(config["score"]["tcga_atlas"]))


def atlas_file(name):
    """An atlas table: built by rule tcga_atlas from the TCGA tables, or read from score.tcga_atlas."""
    if BUILDS_TUMOUR_ATLAS:
        return f"results/references/atlas/{name}"
    return str(Path(config["score"]["tcga_atlas"], name))


HAS_TISSUE_REFERENCE = bool(config["score"]["tissue_reference"])


def genome_index_files():
    """The genome index rule genome_index builds, when annotation.genome_fasta is set."""
    return rules.genome_index.output if config["annotation"]["genome_fasta"] else []


def genome_prefix():
    """The bowtie prefix of the genome pass: built from genome_fasta, or given as genome_index;
    empty without a genome."""
    if config["annotation"]["genome_fasta"]:
        return "results/references/genome"
    return config["annotation"]["genome_index"]


def when(condition, files):
    """`files` as a rule input when `condition` holds, otherwise no input."""
    return files if condition else []


def per_sample(pattern):
    return expand(pattern, sample=SAMPLES.index)


# {table: file stem} of the report's own tables (rule report_tables), and those that need reads.
REPORT_TABLES = {
    "general": "general_stats",
    "imported": "imported_counts",
    "funnel": "read_funnel",
    "lengths": "insert_lengths",
    "top": "top_mirnas",
    "kits": "kit_detection",
    "biotypes": "biotype_funnel",
    "trna": "trna_fragments",
    "sample_qc": "sample_qc",
    "tumour_origin": "tumour_origin",
    "deconvolution": "deconvolution",
    "signature_scores": "signature_scores",
    "pca": "sample_pca",
    "correlation": "sample_correlation",
}
READ_REPORT_TABLES = ("funnel", "lengths", "kits", "biotypes", "trna")
JSON_REPORT_TABLES = ("lengths", "pca")  # plots a TSV cannot describe


def report_table_files():
    """{table: path} of the report tables this run writes."""
    left_out = READ_REPORT_TABLES if FROM_COUNTS_TABLE else ("imported",)
    return {
        name: f"results/report/tables/{stem}_mqc.{'json' if name in JSON_REPORT_TABLES else 'tsv'}"
        for name, stem in REPORT_TABLES.items()
        if name not in left_out
    }


# What a stage after scoring adds (rules/<stage>.smk appends, and is included before report.smk):
# files for the MultiQC report, and outputs rule all requests.
REPORT_EXTRAS = []
STAGE_OUTPUTS = []
# Tables a stage adds to the scored AnnData ({"classify": [...], "differential": [...], "monitor": [...]}).
SCORED_EXTRAS = {}


def scored_extras(kind):
    """Input function: a stage's tables for rule scored_anndata, read when the DAG is built, after every
    stage file has registered them."""
    return lambda wildcards: SCORED_EXTRAS.get(kind, [])


def final_outputs():
    return STAGE_OUTPUTS + [
        "results/counts/mirna_counts.tsv",
        "results/counts/mirna_cpm.tsv",
        "results/counts/mirna.h5ad",
        "results/qc/sample_qc.tsv",
        "results/scores/signature_scores.tsv",
        "results/scores/tumour_origin.tsv",
        "results/scores/scored.h5ad",
        "results/report/multiqc_report.html",
    ]


# The reference bundle (rules/bundle.smk).
from snakemake.exceptions import WorkflowError

BUNDLE_SETS = ("spike_ins", "artifacts", "trna", "rrna", "ncrna")
BUNDLE_ATLAS = ("tcga_profiles.tsv", "tcga_profile_info.tsv", "tcga_tumour_vs_normal.tsv", "tcga_holdout.tsv.gz")


def bundle_source(key):
    """An input function: the primary source `bundle.<key>` of the config, which must be set."""

    def source(wildcards):
        value = config["bundle"][wildcards.set] if key == "{set}" else config["bundle"][key]
        if not value:
            raise WorkflowError(
                f"bundle.{key} is not set: rebuild the bundle with --configfile config/bundle-sources.yaml"
            )
        return value

    return source
