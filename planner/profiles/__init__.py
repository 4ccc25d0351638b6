"""Profiles: the documented numbers that turn demand into footprints and plans into money.

Overhead profiles (`overheads`), platform profiles (`platforms`), cost profiles (`costs`), and the
footprint arithmetic built on them (`footprints`). Above the domain; below io, solver and checker."""
