# exomir's entry point at the repository root. The workflow is workflow/Snakefile (what `module`
# and snakedeploy use); this file includes it.
include: "workflow/Snakefile"


# Snakemake takes the default target from the Snakefile it starts with, never from an included
# one, so the workflow's `all` is requested here.
rule default:
    default_target: True
    input:
        rules.all.input,
