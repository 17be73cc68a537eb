"""Example Health's claimpolicy plugin, written the way a payer would write one.

Example Health is a fictional commercial payer. Its rules are modelled on
public policies of real payers, which each reference names. The plugin uses
only the public API of claimpolicy (`from claimpolicy import ...`); the
hooks themselves are in `claimpolicy_example_payer.plugin`.
"""

PAYER = "example-health"  # the payer id that claims carry and the pack serves
PLUGIN = "example-payer"  # the entry point name: how `claimpolicy plugins` shows it

__all__ = ["PAYER", "PLUGIN"]
