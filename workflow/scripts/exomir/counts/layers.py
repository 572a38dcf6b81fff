"""Tables from the count AnnData (results/counts/mirna.h5ad)."""

import os
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from scipy import sparse

if TYPE_CHECKING:
    import anndata


def layer_table(adata: "anndata.AnnData", layer: str = "counts") -> pd.DataFrame:
    """One layer as a samples × miRNAs DataFrame (dense: the matrices here are small)."""
    matrix = adata.layers[layer]
    values = matrix.toarray() if sparse.issparse(matrix) else np.asarray(matrix)
    return pd.DataFrame(values, index=adata.obs_names, columns=adata.var_names)


def read_counts(path: str | os.PathLike) -> "tuple[anndata.AnnData, pd.DataFrame]":
    """The count AnnData at `path` and its raw counts as a samples × miRNAs table."""
    import anndata  # imported here: the scripts that only need layer_table start faster

    adata = anndata.read_h5ad(path)
    return adata, layer_table(adata)
