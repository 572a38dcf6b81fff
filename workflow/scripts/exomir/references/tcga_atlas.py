"""Tumour atlas from TCGA miRNA-seq: per cancer type, tumour profiles, the matching normal-tissue profile and
the tumour-versus-normal fold changes, at the level of precursor groups (see precursor_groups.py).

Patients are split by a hash of their barcode: a held-out share never enters the atlas, and its tumour
aliquots are written apart so that in-silico mixtures can test the atlas on tumours it has not seen.
"""

import hashlib
import os
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy.cluster.vq import kmeans2

from exomir.common.normalise import counts_per_million
from exomir.references.precursor_groups import sum_by_group

SAMPLE_COLUMNS = ["barcode", "cohort", "sample_type_code", "patient"]
PROFILE_INFO_COLUMNS = ["profile", "cancer_type", "kind", "n_aliquots"]


def load_tcga(rpm_path: str | os.PathLike, samples_path: str | os.PathLike) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(aliquot × precursor RPM, aliquot annotation indexed by barcode), checked against each other."""
    samples = pd.read_csv(samples_path, sep="\t", dtype=str)
    missing = [column for column in SAMPLE_COLUMNS if column not in samples.columns]
    if missing:
        raise ValueError(f"{samples_path}: missing column(s) {', '.join(missing)}")
    samples = samples.set_index("barcode")
    rpm = pd.read_csv(rpm_path, sep="\t", index_col=0)
    if "cohort" not in rpm.columns:
        raise ValueError(f"{rpm_path}: no 'cohort' column")
    unannotated = rpm.index.difference(samples.index)
    if len(unannotated):
        raise ValueError(f"{rpm_path}: aliquot(s) not in {samples_path}: {', '.join(unannotated[:5])}")
    clashing = rpm.index[rpm["cohort"] != samples.loc[rpm.index, "cohort"]]
    if len(clashing):
        raise ValueError(f"{rpm_path}: cohort differs from {samples_path} for {', '.join(clashing[:5])}")
    rpm = rpm.drop(columns="cohort").fillna(0)
    if (rpm < 0).any().any():
        raise ValueError(f"{rpm_path}: negative values")
    return rpm, samples.loc[rpm.index]


def rename_precursors(rpm: pd.DataFrame, renames: pd.DataFrame, known: Iterable[str]) -> tuple[pd.DataFrame, list[str]]:
    """Apply old → miRBase v22 precursor renames; drop columns unknown to the reference.

    The TCGA table mixes two namings (aliquots of one platform carry old names, the others new ones, the
    unmeasured name being empty), so columns renamed onto one precursor are summed.
    Returns (renamed table, names dropped)."""
    renamed = rpm.rename(columns=dict(zip(renames["tcga_name"], renames["mirbase_v22_name"])))
    keep = renamed.columns.isin(list(known))
    dropped = list(renamed.columns[~keep])
    return renamed.loc[:, keep].T.groupby(level=0).sum().T, dropped


def held_out(patients: pd.Series, fraction: float, seed: int) -> pd.Series:
    """True for patients whose salted SHA-1 falls in the first `fraction` of the hash range: a split that
    does not depend on file order, keeps all aliquots of a patient together and is the same on every run."""

    def position(patient: str) -> float:
        digest = hashlib.sha1(f"{seed}:{patient}".encode()).hexdigest()
        return int(digest, 16) / 16 ** len(digest)

    return patients.map(position) < fraction


def cancer_types(cohorts: pd.Series, merge: Mapping[str, Iterable[str]]) -> pd.Series:
    """TCGA cohort → cancer type, merging cohorts listed under one name in `merge`."""
    merged_name = {cohort: name for name, members in merge.items() for cohort in members}
    return cohorts.map(lambda cohort: merged_name.get(cohort, cohort))


def tumour_prototypes(
    rpm: pd.DataFrame, n_prototypes: int, min_aliquots: int, seed: int
) -> list[tuple[pd.Series, int]]:
    """Mean RPM profiles of up to `n_prototypes` k-means clusters (log2 RPM space) of one type's tumours.

    Tumours of one type are heterogeneous (subtypes, stroma, grade); several prototypes describe them better
    than one average. Clusters smaller than `min_aliquots` are left out. Returns [(profile, n_aliquots)]."""
    n_clusters = max(1, min(n_prototypes, len(rpm) // min_aliquots))
    if n_clusters == 1:
        return [(rpm.mean(), len(rpm))]
    _, labels = kmeans2(np.log2(rpm.to_numpy() + 1), n_clusters, seed=seed, minit="++")
    return [
        (rpm[labels == cluster].mean(), int((labels == cluster).sum()))
        for cluster in range(n_clusters)
        if (labels == cluster).sum() >= min_aliquots
    ]


def build_atlas(
    group_rpm: pd.DataFrame,
    types: pd.Series,
    kinds: pd.Series,
    n_prototypes: int,
    min_tumours: int,
    min_normals: int,
    min_aliquots: int,
    seed: int,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Tumour prototypes and one normal profile per cancer type.

    `group_rpm`: atlas aliquots × groups; `types`, `kinds` ('tumour', 'normal' or other) per aliquot.
    Returns (groups × profiles RPM, profile info, tumour-versus-normal long table)."""
    profiles, info, contrasts = {}, [], []
    for cancer_type in sorted(types.unique()):
        tumours = group_rpm[(types == cancer_type) & (kinds == "tumour")]
        if len(tumours) < min_tumours:
            continue
        for number, (profile, size) in enumerate(tumour_prototypes(tumours, n_prototypes, min_aliquots, seed), 1):
            name = f"{cancer_type}:tumour:{number}"
            profiles[name] = profile
            info.append((name, cancer_type, "tumour", size))
        normals = group_rpm[(types == cancer_type) & (kinds == "normal")]
        if len(normals) >= min_normals:
            name = f"{cancer_type}:normal"
            profiles[name] = normals.mean()
            info.append((name, cancer_type, "normal", len(normals)))
            tumour_mean, normal_mean = tumours.mean(), normals.mean()
            contrasts.append(
                pd.DataFrame(
                    {
                        "cancer_type": cancer_type,
                        "group": group_rpm.columns,
                        "tumour_rpm": tumour_mean.to_numpy(),
                        "normal_rpm": normal_mean.to_numpy(),
                        "log2_fold_change": np.log2((tumour_mean + 1) / (normal_mean + 1)).to_numpy(),
                        "n_tumour": len(tumours),
                        "n_normal": len(normals),
                    }
                )
            )
    if not profiles:
        raise ValueError(f"no cancer type has {min_tumours} or more tumour aliquots for the atlas")
    table = pd.DataFrame(profiles)
    table.index.name = "group"
    return table, pd.DataFrame(info, columns=PROFILE_INFO_COLUMNS), pd.concat(contrasts, ignore_index=True)


def sample_kinds(type_codes: pd.Series, tumour_codes: Sequence[str], normal_codes: Sequence[str]) -> pd.Series:
    """'tumour', 'normal' or 'other' from TCGA sample type codes (01 primary tumour, 11 solid tissue normal, ...)."""
    codes = type_codes.str.zfill(2)
    return pd.Series(
        np.where(codes.isin(tumour_codes), "tumour", np.where(codes.isin(normal_codes), "normal", "other")),
        index=type_codes.index,
    )


def atlas_tables(
    rpm: pd.DataFrame,
    samples: pd.DataFrame,
    groups: pd.DataFrame,
    renames: pd.DataFrame,
    params: Mapping[str, Any],
) -> tuple[dict[str, pd.DataFrame], str]:
    """The atlas from TCGA aliquots × precursors RPM and their sample table: ({profiles, info,
    tumour_vs_normal, holdout}, a summary for the log). `params` is the config's `atlas` section."""
    rpm, dropped = rename_precursors(rpm, renames, set(groups["precursor"]))
    log = [f"{len(rpm)} aliquots; precursors not in the reference, dropped: {len(dropped)} {' '.join(dropped)}"]
    precursor_group = groups.drop_duplicates("precursor").set_index("precursor")["group"]
    group_rpm = counts_per_million(sum_by_group(rpm.T, precursor_group).T, axis=1)

    types = cancer_types(samples["cohort"], params["merge_cohorts"])
    kinds = sample_kinds(samples["sample_type_code"], params["tumour_sample_types"], params["normal_sample_types"])
    holdout = held_out(samples["patient"], params["holdout_fraction"], params["seed"])
    profiles, info, contrasts = build_atlas(
        group_rpm[~holdout],
        types[~holdout],
        kinds[~holdout],
        params["prototypes_per_type"],
        params["min_tumours"],
        params["min_normals"],
        params["min_aliquots_per_prototype"],
        params["seed"],
    )
    held = group_rpm[holdout & (kinds == "tumour") & types.isin(info["cancer_type"])]
    held.insert(0, "cancer_type", types[held.index])
    held.index.name = "barcode"
    tumour_info = info[info["kind"] == "tumour"]
    log.append(
        f"atlas: {tumour_info['cancer_type'].nunique()} cancer types, {len(tumour_info)} tumour prototypes from "
        f"{tumour_info['n_aliquots'].sum()} aliquots, {(info['kind'] == 'normal').sum()} normal profiles; "
        f"held out: {holdout.sum()} aliquots of {samples.loc[holdout, 'patient'].nunique()} patients "
        f"({len(held)} tumours kept for mixtures)"
    )
    tables = {"profiles": profiles, "info": info, "tumour_vs_normal": contrasts, "holdout": held}
    return tables, "\n".join(log)
