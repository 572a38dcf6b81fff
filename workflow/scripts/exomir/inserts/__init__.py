"""Stage inserts: kit detection, trimming, UMIs and collapsing of a sample's reads (results/inserts/)."""
