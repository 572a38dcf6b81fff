# Per-sample counts → cohort matrices, their normalisations and the count AnnData (results/counts/);
# or the same from a count table.


# Only one of the two rules that write the count matrices exists in a run, so that Snakemake never
# tries the other's inputs.
if not FROM_COUNTS_TABLE:

    rule count_matrix:
        input:
            tables=per_sample("results/quantify/{sample}.mirna.tsv"),
            isomirs=per_sample("results/quantify/{sample}.isomirs.tsv"),
            features=per_sample("results/quantify/{sample}.features.tsv"),
            stats=per_sample("results/quantify/{sample}.stats.json"),
            inserts=per_sample("results/inserts/{sample}.stats.json"),
            kits=per_sample("results/inserts/{sample}.kit.json"),
            positions=rules.mirna_reference.output.positions,
        output:
            counts=report("results/counts/mirna_counts.tsv", category="Counts"),
            cpm=report("results/counts/mirna_cpm.tsv", category="Counts"),
            tmm="results/counts/mirna_tmm_cpm.tsv",
            spike_in="results/counts/mirna_spike_in_normalised.tsv",
            factors="results/counts/normalisation_factors.tsv",
            isomirs="results/counts/isomir_counts.tsv",
            features="results/counts/biotype_feature_counts.tsv",
            biotypes="results/counts/biotype_reads.tsv",
            h5ad="results/counts/mirna.h5ad",
        log:
            "logs/counts/count_matrix.log",
        benchmark:
            "benchmarks/counts/count_matrix.tsv"
        conda:
            "../../envs/counts.yaml"
        threads: 1
        resources:
            mem_mb=grow_with_attempt(4000),
            runtime=30,
        params:
            samples=list(SAMPLES.index),
            sample_sheet=sample_sheet_records(),
        script:
            "../scripts/count_matrix.py"


# A run from a count table (config counts_table): the same matrices and AnnData from the table, at the
# level it gives (mature or precursor), without the outputs that need reads (isomiRs, biotypes, spike-ins).
else:

    rule import_counts:
        input:
            table=config["counts_table"],
            mature=config["references"]["mature"],
            hairpin=config["references"]["hairpin"],
            groups=rules.precursor_groups.output.groups,
        output:
            counts=report("results/counts/mirna_counts.tsv", category="Counts"),
            cpm=report("results/counts/mirna_cpm.tsv", category="Counts"),
            tmm="results/counts/mirna_tmm_cpm.tsv",
            factors="results/counts/normalisation_factors.tsv",
            h5ad="results/counts/mirna.h5ad",
            summary="results/counts/import_summary.json",
        log:
            "logs/counts/import_counts.log",
        benchmark:
            "benchmarks/counts/import_counts.tsv"
        conda:
            "../../envs/counts.yaml"
        threads: 1
        resources:
            mem_mb=grow_with_attempt(4000),
            runtime=30,
        params:
            samples=list(SAMPLES.index),
            sample_sheet=sample_sheet_records(),
            sheet=config["samples"],
            species_prefix=config["references"]["species_prefix"],
        script:
            "../scripts/import_counts.py"
