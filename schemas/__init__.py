"""The JSON Schemas of the claim document and the report (data only).

This file only makes the folder the package `claimpolicy.schemas`, so that
importlib.resources finds it in a wheel and in an editable install alike.
"""
