"""Tools for pack authors: fixture tests, coverage, explanations, diffs."""
