"""Where a mature miRNA's counts are: itself at mature level, its precursor(s) at precursor level."""

import anndata
import numpy as np
import pandas as pd
import pytest

from exomir.counts.features import FeatureLookup

PAIRS = pd.DataFrame(
    {
        "mirna": ["hsa-miR-16-5p", "hsa-miR-16-5p", "hsa-miR-21-5p", "hsa-miR-21-3p", "hsa-miR-451a"],
        "precursor": ["hsa-mir-16-1", "hsa-mir-16-2", "hsa-mir-21", "hsa-mir-21", "hsa-mir-451a"],
    }
)
PRECURSOR = FeatureLookup.from_pairs("precursor", PAIRS)


def test_at_mature_level_every_name_is_its_own_feature():
    mature = FeatureLookup()
    assert mature.features("hsa-miR-999") == ("hsa-miR-999",)
    table = pd.DataFrame({"x": [1.0]}, index=["hsa-miR-21-5p"])
    assert mature.by_feature(table) is table and mature.summed_by_feature(table) is table


def test_at_precursor_level_a_mature_is_found_through_its_precursors():
    assert PRECURSOR.features("hsa-miR-16-5p") == ("hsa-mir-16-1", "hsa-mir-16-2")
    assert PRECURSOR.features("hsa-miR-21-3p") == ("hsa-mir-21",)
    assert PRECURSOR.features("hsa-miR-999") == ()


def test_a_set_of_matures_counts_a_shared_precursor_once():
    features = PRECURSOR.features_of(["hsa-miR-21-5p", "hsa-miR-21-3p", "hsa-miR-16-5p"])
    assert features == ["hsa-mir-21", "hsa-mir-16-1", "hsa-mir-16-2"]
    assert PRECURSOR.features_of(["hsa-miR-16-5p"], present={"hsa-mir-16-2"}) == ["hsa-mir-16-2"]


def test_tables_keyed_by_mature_names_are_keyed_by_precursors():
    signature = pd.DataFrame({"mirna": ["hsa-miR-16-5p", "hsa-miR-999", "hsa-miR-451a"], "direction": ["up"] * 3})
    translated = PRECURSOR.by_feature(signature, column="mirna")
    assert list(translated["mirna"]) == ["hsa-mir-16-1", "hsa-mir-16-2", "hsa-mir-451a"]
    reference = pd.DataFrame({"liver": [1.0, 2.0, 4.0]}, index=["hsa-miR-21-5p", "hsa-miR-21-3p", "hsa-miR-16-5p"])
    summed = PRECURSOR.summed_by_feature(reference)
    assert summed["liver"].to_dict() == {"hsa-mir-21": 3.0, "hsa-mir-16-1": 4.0, "hsa-mir-16-2": 4.0}


def test_the_lookup_travels_in_the_anndata():
    adata = anndata.AnnData(np.ones((1, 2)), var=pd.DataFrame(index=["hsa-mir-21", "hsa-mir-451a"]))
    assert FeatureLookup.of(adata) == FeatureLookup()  # no level given: mature
    adata.uns["feature_level"] = "precursor"
    adata.uns["mature_precursors"] = PRECURSOR.pairs()
    assert FeatureLookup.of(adata) == PRECURSOR


def test_an_unknown_level_is_refused():
    with pytest.raises(ValueError, match="feature level 'hairpin'"):
        FeatureLookup("hairpin")
