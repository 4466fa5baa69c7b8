"""Tests of renderworker.engine.sampling (a package so its conftest has its own name)."""
