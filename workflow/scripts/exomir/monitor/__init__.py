"""Monitoring of a patient's series: changes of tumour-origin evidence, signature scores and classifier
probabilities between consecutive samples, judged against the variation between libraries of one healthy
donor. Research use only."""
