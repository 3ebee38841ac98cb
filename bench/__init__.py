"""Benchmarks: load, bank scale, the freezing lab; results in bench/RESULTS.md."""
