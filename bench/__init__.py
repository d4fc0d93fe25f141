"""The benchmark harness (bench/run)."""
