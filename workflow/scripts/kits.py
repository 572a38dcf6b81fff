"""Library-kit presets (resources/kits.yaml) and the trimming they imply."""

import yaml

REQUIRED_KEYS = ("name", "adapter_3p", "clip_5p", "clip_3p", "umi", "polya", "insert_length", "source")


def load_kits(path):
    """Read the kit presets, checking that every kit has every key."""
    with open(path) as handle:
        kits = yaml.safe_load(handle)
    for kit_name, kit in kits.items():
        missing = [key for key in REQUIRED_KEYS if key not in kit]
        if missing:
            raise ValueError(f"{path}: kit '{kit_name}' lacks {', '.join(missing)}")
    return kits


def kit_preset(kits, kit_name):
    """Return the preset of `kit_name`, or fail naming the known kits."""
    try:
        return kits[kit_name]
    except KeyError:
        raise KeyError(f"unknown kit '{kit_name}' (known: {', '.join(sorted(kits))})") from None


def cutadapt_arguments(kit, quality_cutoff, error_rate, min_overlap, discard_untrimmed):
    """cutadapt options that remove the kit's 5' clip and 3' adapter.

    The 3' clip (random bases before the adapter) and the insert length filter are applied
    afterwards, by the collapse step: cutadapt's --cut runs before adapter removal, so it
    cannot reach bases that sit just before the adapter.
    """
    arguments = ["--quality-cutoff", str(quality_cutoff), "--minimum-length", "1"]
    if kit["clip_5p"]:
        arguments += ["--cut", str(kit["clip_5p"])]
    if kit["adapter_3p"]:
        arguments += ["--error-rate", str(error_rate), "--overlap", str(min_overlap)]
        arguments += ["--adapter", kit["adapter_3p"]]
        if discard_untrimmed:
            arguments += ["--discard-untrimmed"]
    return arguments
