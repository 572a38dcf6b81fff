"""Rule monitor_variation: within-donor variation of the monitored quantities over replicate libraries of
the healthy baseline (exomir.monitor.variation)."""

import sys
from types import SimpleNamespace

import pandas as pd

from exomir.common.tables import write_tsv
from exomir.monitor.variation import (
    ORIGIN,
    VARIATION_COLUMNS,
    baseline_origin_values,
    baseline_signature_values,
    variation_table,
)
from exomir.scores.signatures import load_signatures
from exomir.scores.tumour_origin import References


def main(snakemake):
    sys.stderr = open(snakemake.log[0], "w", buffering=1)  # tracebacks and warnings land in the log
    inputs, settings = snakemake.input, snakemake.params.monitor
    origin = SimpleNamespace(**snakemake.params.origin)
    if not inputs.baseline or not inputs.libraries:
        # Without a baseline of documented donors there is no within-donor variation: nothing is flagged.
        write_tsv(pd.DataFrame(columns=VARIATION_COLUMNS), snakemake.output.variation, index=False)
        print("no healthy baseline with a library table: no within-donor bounds", file=sys.stderr)
        return
    libraries = pd.read_csv(inputs.libraries, sep="\t", dtype=str, keep_default_na=False)
    mature = pd.read_csv(inputs.baseline, sep="\t", index_col="mirna")
    values = [baseline_signature_values(mature, load_signatures(inputs.signatures))]
    if inputs.profiles and inputs.groups:
        references = References.load(
            inputs.groups,
            inputs.baseline,
            inputs.libraries,
            inputs.profiles,
            inputs.profile_info,
            inputs.markers,
            inputs.signatures,
            inputs.tissues or None,
            origin.reference_biofluids,
            origin.excluded_types,
        )
        values.append(baseline_origin_values(references, references.reference, origin))
    values = pd.concat(values, ignore_index=True)
    floors = {ORIGIN: settings["min_origin_change"]}
    table = variation_table(values, libraries, settings["quantile"], settings["min_pairs"], settings["same"], floors)
    write_tsv(table[VARIATION_COLUMNS], snakemake.output.variation, index=False, float_format="%.6g")
    print(f"{values['sample'].nunique()} baseline libraries, {len(table)} quantities", file=sys.stderr)
    print(table.to_string(), file=sys.stderr)


if "snakemake" in globals():  # run by Snakemake's `script:` directive
    main(snakemake)  # noqa: F821
