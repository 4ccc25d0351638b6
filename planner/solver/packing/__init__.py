"""Searches for plain packing: one-dimensional column generation and diving (`onedim`,
`cutstock`), consistent neighbourhood search (`cns`, `vector_cns`), exact-fill patterns and the
pattern master over shape classes (`patterns`)."""
