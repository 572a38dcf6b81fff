"""One figure per patient: tumour-origin top evidence, signature scores and classifier probabilities over
time, events marked, flagged changes highlighted."""

import os
from collections.abc import Sequence

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from exomir.monitor.series import FALL, RISE  # noqa: E402
from exomir.monitor.variation import CLASSIFIER, SIGNATURE, TOP_EVIDENCE, quantity_kind  # noqa: E402

MARKERS = {RISE: ("^", "tab:red"), FALL: ("v", "tab:blue")}


def _panel(axis: plt.Axes, table: pd.DataFrame, quantities: Sequence[str], title: str, in_bounds: bool = False) -> None:
    """Lines of `quantities` over time, flagged steps marked; `in_bounds`: values divided by their bound."""
    for quantity in quantities:
        rows = table[table["quantity"] == quantity]
        value = rows["value"] / rows["bound"] if in_bounds else rows["value"]
        label = quantity.split(":", 1)[1]
        axis.plot(rows["timepoint"], value, marker="o", markersize=3, linewidth=1, label=label)
        for flag, (marker, colour) in MARKERS.items():
            hits = rows["flag"] == flag
            axis.scatter(rows.loc[hits, "timepoint"], value[hits], marker=marker, s=70, color=colour, zorder=3)
    axis.set_title(title, fontsize=9, loc="left")
    if 0 < len(quantities) <= 8:
        axis.legend(fontsize=6, loc="best")


def plot_patient(
    table: pd.DataFrame, patient: str, paths: Sequence[str | os.PathLike], max_signatures: int = 6
) -> None:
    """Write the figure of one patient's series table (exomir.monitor.series.series_table) to each path (the
    format follows the extension). Signatures shown: the `max_signatures` that moved most."""
    rows = table[table["patient"] == patient]
    kinds = rows["quantity"].map(quantity_kind)
    signatures = rows[(kinds == SIGNATURE) & (rows["bound"] > 0)]
    moved = (signatures["change"].abs() / signatures["bound"]).groupby(signatures["quantity"]).max()
    shown_signatures = list(moved.dropna().sort_values(ascending=False).index[:max_signatures])
    classifiers = sorted(rows.loc[kinds == CLASSIFIER, "quantity"].unique())
    panels = [([TOP_EVIDENCE], "tumour-origin evidence (top type; ▲ rise, ▼ fall beyond the within-donor bound)")]
    panels.append((shown_signatures, "signature scores in units of their within-donor bound (largest steps)"))
    if classifiers:
        panels.append((classifiers, "classifier probability (shown, not judged)"))
    figure, axes = plt.subplots(len(panels), 1, figsize=(7, 2.4 * len(panels)), sharex=True, squeeze=False)
    events = rows.drop_duplicates("sample")
    events = events[events["event"] != ""]
    for index, (axis, (quantities, title)) in enumerate(zip(axes[:, 0], panels)):
        _panel(axis, rows, quantities, title, in_bounds=index == 1)
        for event in events.itertuples(index=False):
            axis.axvline(event.timepoint, color="grey", linestyle="--", linewidth=1)
            axis.annotate(
                event.event,
                (event.timepoint, 1),
                xycoords=("data", "axes fraction"),
                fontsize=7,
                rotation=90,
                va="top",
                ha="right",
                color="dimgrey",
            )
    top = rows[rows["quantity"] == TOP_EVIDENCE]
    if len(top) and top["bound"].notna().any():
        axes[0, 0].text(
            0.01, 0.02, f"within-donor bound ±{top['bound'].iloc[0]:.3g}", transform=axes[0, 0].transAxes, fontsize=7
        )
    axes[-1, 0].set_xlabel("timepoint")
    figure.suptitle(f"patient {patient} — research use only", fontsize=10)
    figure.tight_layout()
    for path in paths:
        figure.savefig(path, dpi=120)
    plt.close(figure)
