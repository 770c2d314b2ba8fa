"""Indicators: the registry, series reads with as_of, and the verification statistics."""
