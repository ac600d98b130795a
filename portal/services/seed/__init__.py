"""Data sets loaded on purpose: the demo neighbourhood and the benchmark data."""
