"""A consolidation study: the pipeline (prepare, solve per site, spares, failures, check, price),
with today's baseline, TCO, Windows licensing, resilience, recovery and the report tables."""
