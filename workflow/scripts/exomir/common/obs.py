"""Sample annotations as AnnData obs that scanpy can use at once (`sc.pl.pca(color=...)` needs categories)."""

import pandas as pd


def typed_obs(samples: pd.DataFrame, empty_is_missing: bool = True) -> pd.DataFrame:
    """`samples` as AnnData obs: text as categories (an empty cell missing, not the text 'nan', unless
    `empty_is_missing` is False: then empty text stays a category of its own), numbers as numbers, the
    index as text."""
    obs = pd.DataFrame(index=samples.index.astype(str))
    for column, values in samples.items():
        if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
            obs[column] = values.to_numpy()
            continue
        text = [
            None if pd.isna(value) or (empty_is_missing and str(value).strip() == "") else str(value)
            for value in values
        ]
        obs[column] = pd.Categorical(text)
    obs.index.name = None
    return obs
