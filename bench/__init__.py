"""Benchmarks: ``python -m bench [NAME ...]`` prints one table of measurements.

Each ``bench/bench_<name>.py`` exposes ``run() -> list[Row]``; speed targets live here,
never in timed unit tests.
"""
