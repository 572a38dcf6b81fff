# Classifiers (results/classify/): trained on the run's labelled samples (config classify.train), applied
# to the run's samples (classify.apply), and the shipped models trained from a public cohort
# (classify.shipped; `make models` copies them to resources/models/).

from exomir.classify.train import check_classify
from exomir.common.config import resolve

# Model files and the shipped cohort's files: the working directory first, then the repository
# (resources/models/).
CLASSIFY = dict(config["classify"])
CLASSIFY["apply"] = [resolve(path, Path(workflow.current_basedir).parents[1]) for path in CLASSIFY["apply"]]
CLASSIFY["shipped"] = {
    key: resolve(value, Path(workflow.current_basedir).parents[1]) if key in ("counts", "labels", "batches") else value
    for key, value in CLASSIFY["shipped"].items()
}
# A spec that does not fit the sheet, or a model file that is missing (and not trained by this run),
# stops the run before any job.
check_classify(
    CLASSIFY,
    list(SAMPLES["condition"].astype(str)),
    produced=[f"results/classify/{name}/model.skops" for name in CLASSIFY["train"]],
)
TRAINED_MODELS = list(CLASSIFY["train"])
SHIPPED_MODELS = list(CLASSIFY["shipped"]["models"])


if TRAINED_MODELS:

    rule train_classifier:
        input:
            counts="results/counts/mirna_counts.tsv",
            groups=rules.precursor_groups.output.groups,
        output:
            model="results/classify/{model}/model.skops",
            card="results/classify/{model}/model_card.json",
            metrics="results/classify/{model}/metrics.tsv",
            predictions="results/classify/{model}/cv_predictions.tsv",
            roc=multiext("results/classify/{model}/roc", ".png", ".svg"),
            reliability=multiext("results/classify/{model}/reliability", ".png", ".svg"),
        log:
            "logs/classify/train_{model}.log",
        benchmark:
            "benchmarks/classify/train_{model}.tsv"
        wildcard_constraints:
            model="|".join(map(re.escape, TRAINED_MODELS)),
        conda:
            "../../envs/classify.yaml"
        threads: 2
        resources:
            mem_mb=grow_with_attempt(2000),
            runtime=120,
        params:
            entry=lambda wildcards: CLASSIFY["train"][wildcards.model],
            settings={key: value for key, value in CLASSIFY.items() if key not in ("train", "apply", "shipped")},
            references=config["references"],
            sample_sheet=sample_sheet_records(),
            cohort=config["samples"],
        script:
            "../scripts/train_classifier.py"

    rule classifier_metrics:
        input:
            metrics=expand("results/classify/{model}/metrics.tsv", model=TRAINED_MODELS),
            roc=expand("results/classify/{model}/roc.png", model=TRAINED_MODELS),
        output:
            table="results/classify/classifier_metrics_mqc.tsv",
            roc=expand("results/classify/{model}_roc_mqc.png", model=TRAINED_MODELS),
        log:
            "logs/classify/classifier_metrics.log",
        benchmark:
            "benchmarks/classify/classifier_metrics.tsv"
        conda:
            "../../envs/classify.yaml"
        threads: 1
        resources:
            mem_mb=grow_with_attempt(500),
            runtime=5,
        params:
            models=TRAINED_MODELS,
        script:
            "../scripts/classifier_metrics.py"

    REPORT_EXTRAS.append("results/classify/classifier_metrics_mqc.tsv")
    REPORT_EXTRAS.extend(expand("results/classify/{model}_roc_mqc.png", model=TRAINED_MODELS))
    STAGE_OUTPUTS.extend(expand("results/classify/{model}/model_card.json", model=TRAINED_MODELS))
    STAGE_OUTPUTS.extend(expand("results/classify/{model}/roc.png", model=TRAINED_MODELS))


if CLASSIFY["apply"]:

    rule apply_classifiers:
        input:
            counts="results/counts/mirna_counts.tsv",
            groups=rules.precursor_groups.output.groups,
            models=CLASSIFY["apply"],
        output:
            applied="results/classify/applied.tsv",
            report="results/classify/applied_mqc.tsv",
        log:
            "logs/classify/apply_classifiers.log",
        benchmark:
            "benchmarks/classify/apply_classifiers.tsv"
        conda:
            "../../envs/classify.yaml"
        threads: 1
        resources:
            mem_mb=grow_with_attempt(2000),
            runtime=10,
        params:
            min_coverage=CLASSIFY["min_coverage"],
            residual_factor=CLASSIFY["residual_factor"],
        script:
            "../scripts/apply_classifiers.py"

    REPORT_EXTRAS.append("results/classify/applied_mqc.tsv")
    STAGE_OUTPUTS.append("results/classify/applied.tsv")
    SCORED_EXTRAS["classify"] = ["results/classify/applied.tsv"]


# The shipped models: trained from the cohort of classify.shipped (config/model-sources.yaml).
rule shipped_model:
    input:
        counts=CLASSIFY["shipped"]["counts"] or "classify.shipped.counts is not set",
        labels=CLASSIFY["shipped"]["labels"] or "classify.shipped.labels is not set",
        batches=CLASSIFY["shipped"]["batches"] or "classify.shipped.batches is not set",
        groups=rules.precursor_groups.output.groups,
    output:
        model="results/classify/shipped/{model}/model.skops",
        card="results/classify/shipped/{model}/model_card.json",
        metrics="results/classify/shipped/{model}/metrics.tsv",
        predictions="results/classify/shipped/{model}/cv_predictions.tsv",
        roc=multiext("results/classify/shipped/{model}/roc", ".png", ".svg"),
        reliability=multiext("results/classify/shipped/{model}/reliability", ".png", ".svg"),
    log:
        "logs/classify/shipped_{model}.log",
    benchmark:
        "benchmarks/classify/shipped_{model}.tsv"
    wildcard_constraints:
        model="|".join(map(re.escape, SHIPPED_MODELS)) or "no shipped model is configured",
    conda:
        "../../envs/classify.yaml"
    threads: 2
    resources:
        mem_mb=grow_with_attempt(2000),
        runtime=240,
    params:
        entry=lambda wildcards: CLASSIFY["shipped"]["models"][wildcards.model],
        settings={key: value for key, value in CLASSIFY.items() if key not in ("train", "apply", "shipped")},
        references=config["references"],
        cohort=CLASSIFY["shipped"]["cohort"],
    script:
        "../scripts/train_classifier.py"


rule shipped_models:
    input:
        expand("results/classify/shipped/{model}/model.skops", model=SHIPPED_MODELS),
