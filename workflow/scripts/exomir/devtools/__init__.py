"""Development tools, used by tests/ and bench/ and never by a rule: the read simulator and its truth
scoring, workflow runs in a scratch directory, and the comparisons with published outputs."""
