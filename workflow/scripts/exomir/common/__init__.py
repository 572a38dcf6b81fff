"""Shared by several stages: atomic writes, FASTA, the sample sheet, config checks, marker roles, stats."""
