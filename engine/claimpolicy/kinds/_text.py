"""How kinds write codes and numbers in their messages.

Claims and code sets keep ICD-10-CM codes without the dot; billers read them
with it, so messages put it back. Units are numbers in the claim document
(`38` or `38.0`); messages show whole numbers without a decimal part.
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["dotted", "dotted_list", "number", "units"]


def dotted(code: str) -> str:
    """`M0579` -> `M05.79`; a three-character category stays as it is."""
    return f"{code[:3]}.{code[3:]}" if len(code) > 3 else code


def dotted_list(codes: Iterable[str]) -> str:
    """Codes with their dots, comma-separated, in the order given."""
    return ", ".join(dotted(code) for code in codes)


def number(value: float | int) -> str:
    """`38.0` -> `38`, `2.5` -> `2.5`."""
    return str(int(value)) if float(value).is_integer() else str(value)


def units(value: float | int) -> str:
    """`1 unit`, `38 units`."""
    return f"{number(value)} unit" + ("" if value == 1 else "s")
