"""Classifiers trained on a labelled cohort (nested cross-validation) and applied to new samples."""
