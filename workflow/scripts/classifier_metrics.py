"""Rule classifier_metrics: every trained model's nested-CV figures as one report table."""

from exomir.classify.run import metrics_report


def main(snakemake):
    metrics_report(dict(zip(snakemake.params.models, snakemake.input.metrics)), snakemake.output.table)
    with open(snakemake.log[0], "w") as log:
        print(f"{len(snakemake.params.models)} models", file=log)


if "snakemake" in globals():  # run by Snakemake's `script:` directive
    main(snakemake)  # noqa: F821
