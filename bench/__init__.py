"""Benchmarks (`make bench`). Each prints its figures and adds them to var/bench/results.json."""
