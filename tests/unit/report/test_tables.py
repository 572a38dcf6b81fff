"""The report's tumour-origin table."""

import numpy as np
import pandas as pd

from exomir.report.tables import tumour_origin_shown


def test_refused_samples_show_their_reason_not_numbers():
    calls = pd.DataFrame(
        {
            "sample": ["called", "refused"],
            "qc_verdict": ["pass", "pass"],
            "call": ["PRAD", "not_called"],
            "reason": ["", "protocol mismatch"],
            "top_type": ["PRAD", "TGCT"],
            "evidence": [31.4159, 4583.2],
            "threshold": [18.4987, 18.4987],
            "p_value": [0.010989, np.nan],
            "runner_up": ["BLCA", "ACC"],
            "note": ["research use only", "library kit nebnext; the baseline's is truseq"],
        }
    )
    shown = tumour_origin_shown(calls)
    assert shown.loc["called", ["top_type", "evidence", "threshold", "p_value"]].tolist() == [
        "PRAD",
        31.42,
        18.5,
        0.011,
    ]
    assert shown.loc["refused", ["top_type", "evidence", "threshold", "p_value", "runner_up"]].isna().all()
    assert shown.loc["refused", "reason"] == "protocol mismatch" and "nebnext" in shown.loc["refused", "note"]


def test_refused_samples_keep_their_columns_in_key_order():
    calls = pd.DataFrame(
        {
            "sample": ["s"],
            "qc_verdict": ["pass"],
            "call": ["indeterminate"],
            "reason": ["below threshold"],
            "top_type": ["PRAD"],
            "evidence": [4230.0],
            "threshold": [37.0],
            "p_value": [0.2],
            "runner_up": ["BLCA"],
            "note": [""],
        }
    )
    shown = tumour_origin_shown(calls)
    assert list(shown.columns)[:5] == ["call", "reason", "top_type", "evidence", "threshold"]
    assert shown.loc["s", ["reason", "top_type", "evidence", "threshold"]].tolist() == [
        "below threshold",
        "PRAD",
        4230.0,
        37.0,
    ]
