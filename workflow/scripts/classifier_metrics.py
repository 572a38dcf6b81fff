"""Rule classifier_metrics: every trained model's nested-CV figures as one report table."""

import shutil

from exomir.classify.run import metrics_report


def main(snakemake):
    metrics_report(dict(zip(snakemake.params.models, snakemake.input.metrics)), snakemake.output.table)
    for figure, copy in zip(snakemake.input.roc, snakemake.output.roc):  # the report's ROC images
        shutil.copyfile(figure, copy)
    with open(snakemake.log[0], "w") as log:
        print(f"{len(snakemake.params.models)} models", file=log)


if "snakemake" in globals():  # run by Snakemake's `script:` directive
    main(snakemake)  # noqa: F821
