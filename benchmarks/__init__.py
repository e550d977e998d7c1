"""Benchmarks: ``python -m benchmarks.run`` times every stage of the product at growing sizes."""
