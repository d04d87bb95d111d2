"""The benchmark: ``python benchmarks/run.py`` (see the README's Benchmarks section).

Not part of the installed package and not part of the test suite; only
``tests/test_benchmark_smoke.py`` imports the pure helpers (statistics and table rendering).
"""
