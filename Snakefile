from snakemake.utils import min_version, validate

min_version("9.0")


configfile: "config/config.yaml"


validate(config, "workflow/schemas/config.schema.yaml")


include: "workflow/rules/common.smk"
include: "workflow/rules/references.smk"
include: "workflow/rules/kits.smk"
include: "workflow/rules/inserts.smk"
include: "workflow/rules/quantify.smk"
include: "workflow/rules/qc.smk"
include: "workflow/rules/score.smk"
include: "workflow/rules/report.smk"


rule all:
    input:
        final_outputs(),
    default_target: True
