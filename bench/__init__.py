"""Benchmarks of Anxun (安巡): ``python -m bench`` (see bench/RESULTS.md)."""
