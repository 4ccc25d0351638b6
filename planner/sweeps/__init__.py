"""Scenario sweeps: a grid of settings (`grid`) solved on Dask distributed (`cluster`)."""
