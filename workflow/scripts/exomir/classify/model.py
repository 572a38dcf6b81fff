"""The classifier: normalisation, abundance filter, scaling, univariate selection and penalised logistic
regression in one scikit-learn Pipeline, so that every step learnt from data is learnt inside a training
fold only.

Input: samples × precursor-group raw counts. Steps:

1. `Normalise` (per sample; needs nothing from other samples except TMM's reference): log2-CPM with a
   prior count of 1 (default), CLR (log of count + 0.5, centred per sample), or TMM log-CPM against
   the training fold's reference sample (unweighted trimmed mean of M values).
2. `AbundanceFilter`: the `n_features` groups of highest mean normalised abundance in the training fold.
3. StandardScaler.
4. SelectKBest (ANOVA F) with `k` chosen by the inner folds (or all).
5. LogisticRegression: L2 (l1_ratio 0) by default, elastic net (saga) when l1_ratio > 0; C chosen by
   the inner folds.
"""

from typing import Any, Self

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_selection import SelectKBest, f_classif
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

NORMALISATIONS = ("logcpm", "clr", "tmm")


def _proportions(counts: np.ndarray) -> np.ndarray:
    totals = counts.sum(axis=1, keepdims=True)
    return counts / np.where(totals > 0, totals, 1.0)


def tmm_factors(
    counts: np.ndarray, reference: np.ndarray, logratio_trim: float = 0.3, sum_trim: float = 0.05
) -> np.ndarray:
    """TMM factor of each sample (row) against reference proportions: 2 to the trimmed mean of the log
    ratios (M) of features detected in both, trimmed by M (`logratio_trim`) and by abundance (`sum_trim`)."""
    factors = np.ones(counts.shape[0])
    shares = _proportions(counts)
    for row, share in enumerate(shares):
        both = (share > 0) & (reference > 0)
        if both.sum() < 10:
            continue
        m = np.log2(share[both] / reference[both])
        a = 0.5 * np.log2(share[both] * reference[both])
        m_low, m_high = np.quantile(m, [logratio_trim, 1 - logratio_trim])
        a_low, a_high = np.quantile(a, [sum_trim, 1 - sum_trim])
        keep = (m >= m_low) & (m <= m_high) & (a >= a_low) & (a <= a_high)
        if keep.any():
            factors[row] = 2 ** m[keep].mean()
    return factors


class Normalise(TransformerMixin, BaseEstimator):
    """Raw counts → per-sample normalised log abundances (see the module's docstring)."""

    def __init__(self, method: str = "logcpm") -> None:
        self.method = method

    def fit(self, X: np.ndarray, y: Any = None) -> Self:  # noqa: N803 (scikit-learn's names)
        if self.method not in NORMALISATIONS:
            raise ValueError(f"normalisation {self.method!r} is not one of {', '.join(NORMALISATIONS)}")
        counts = np.asarray(X, dtype=float)
        self.n_features_in_ = counts.shape[1]
        if self.method == "tmm":
            # edgeR's choice: the sample whose upper quartile is closest to the mean upper quartile.
            upper = np.quantile(_proportions(counts), 0.75, axis=1)
            self.reference_ = _proportions(counts)[int(np.argmin(np.abs(upper - upper.mean())))]
        return self

    def transform(self, X: np.ndarray) -> np.ndarray:  # noqa: N803
        counts = np.asarray(X, dtype=float)
        if self.method == "clr":
            logged = np.log(counts + 0.5)
            return logged - logged.mean(axis=1, keepdims=True)
        totals = counts.sum(axis=1, keepdims=True)
        if self.method == "tmm":
            totals = totals * tmm_factors(counts, self.reference_)[:, None]
        return np.log2((counts + 1.0) / (np.where(totals > 0, totals, 1.0) + 2.0) * 1e6)


class AbundanceFilter(TransformerMixin, BaseEstimator):
    """Keep the `n_features` columns of highest mean value in the training data (all when None or more)."""

    def __init__(self, n_features: int | None = 300) -> None:
        self.n_features = n_features

    def fit(self, X: np.ndarray, y: Any = None) -> Self:  # noqa: N803
        values = np.asarray(X, dtype=float)
        self.n_features_in_ = values.shape[1]
        order = np.argsort(-values.mean(axis=0), kind="stable")
        n = values.shape[1] if self.n_features is None else min(self.n_features, values.shape[1])
        self.support_ = np.sort(order[:n])
        return self

    def transform(self, X: np.ndarray) -> np.ndarray:  # noqa: N803
        return np.asarray(X, dtype=float)[:, self.support_]


def build_pipeline(
    normalisation: str = "logcpm", n_features: int | None = 300, l1_ratio: float = 0.0, seed: int = 1
) -> Pipeline:
    """The untrained pipeline; `select__k` and `model__C` are the inner folds' grid."""
    solver = "saga" if l1_ratio > 0 else "lbfgs"
    return Pipeline(
        [
            ("normalise", Normalise(normalisation)),
            ("filter", AbundanceFilter(n_features)),
            ("scale", StandardScaler()),
            ("select", SelectKBest(f_classif, k="all")),
            (
                "model",
                LogisticRegression(
                    C=1.0, l1_ratio=l1_ratio, solver=solver, max_iter=5000 if l1_ratio > 0 else 1000, random_state=seed
                ),
            ),
        ]
    )


def parameter_grid(c_values: list[float], k_values: list[int | str]) -> dict[str, list[Any]]:
    """The inner folds' grid over C and the number of selected features."""
    return {"model__C": list(c_values), "select__k": list(k_values)}
