"""The suite's fixtures and hooks by theme; tests/conftest.py makes them available."""
