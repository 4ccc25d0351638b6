"""Speed and quality benchmarks: `python -m benchmarks` (see README, Benchmarks)."""
