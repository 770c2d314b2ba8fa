"""Shared by the test modules (not fixtures: those are in conftest.py)."""

# How long a browser or server test waits for a condition: a bound, never a delay. Generous, so a
# loaded machine (CI running both databases' suites at once) is slow, not failing.
WAIT = 60
