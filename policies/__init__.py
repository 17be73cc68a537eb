"""The built-in policy packs and code sets: data, never executed.

This file only makes the folder the package `claimpolicy.policies`, so that
importlib.resources finds it in a wheel and in an editable install alike.
"""
