"""Benchmarks: how close a proof exchange gets to the cost of its cryptography."""
