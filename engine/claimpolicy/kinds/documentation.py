"""documentation: a fact the visit note must state when certain codes are billed.

An E/M billed on the day of a drug administration must stand apart from the
administration note (`em.separately_documented = true`). The rule names an
encounter field by its dotted path and the value it must hold; a missing or
different value fires once per claim, at that field.

Packs are data: the path is not an expression. Only the encounter fields of
the claim schema that hold a yes/no or one of a list of words can be named,
and `expected` must be a value that field can hold; both are checked when
the pack loads, from the schema itself, so they cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

from claimpolicy.claim import Line, PreparedClaim
from claimpolicy.kinds._reads import encounter_of
from claimpolicy.kinds.base import Check, Emit, Rule, RuleKind, Tables
from claimpolicy.kinds.codes import PROCEDURE_LIST, expand_procedures
from claimpolicy.resources import claim_schema

__all__ = ["ENCOUNTER_FIELDS", "Documentation", "encounter_fields"]


def encounter_fields(schema: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Dotted path -> Cerberus schema of its values, for the encounter fields
    of a claim schema that hold a boolean or a word of an enum."""
    definitions = schema["$defs"]
    fields: dict[str, dict[str, Any]] = {}

    def walk(node: Mapping[str, Any], prefix: str) -> None:
        for name, prop in node["properties"].items():
            if "$ref" in prop:
                prop = definitions[prop["$ref"].rsplit("/", 1)[-1]]
            if prop.get("type") == "object":
                walk(prop, f"{prefix}{name}.")
            elif prop.get("type") == "boolean":
                fields[prefix + name] = {"type": "boolean"}
            elif prop.get("enum") and all(isinstance(w, str) for w in prop["enum"]):
                fields[prefix + name] = {
                    "type": "string",
                    "allowed": list(prop["enum"]),
                }

    walk(definitions["encounter"], "")
    return fields


ENCOUNTER_FIELDS: Final = encounter_fields(claim_schema())

# `expected` must fit the named field: one alternative per field, matched by
# the value of `field` beside it.
_EXPECTED_FITS_FIELD: Final = [
    {**values, "dependencies": {"field": [path]}}
    for path, values in ENCOUNTER_FIELDS.items()
]


class Documentation(RuleKind):
    name = "documentation"
    summary = (
        "When a code of `codes` is billed (and, if `with_codes` is given, a code "
        "of it on the same date), the encounter field `field` (dotted path: "
        + ", ".join(sorted(ENCOUNTER_FIELDS))
        + ") must hold `expected`; a missing or different value fires once per "
        "claim, at that field."
    )
    parameters = {
        "codes": {**PROCEDURE_LIST, "required": True},
        "with_codes": PROCEDURE_LIST,
        "field": {
            "type": "string",
            "required": True,
            "allowed": sorted(ENCOUNTER_FIELDS),
        },
        "expected": {"required": True, "oneof": _EXPECTED_FITS_FIELD},
    }

    def compile(self, rules: Sequence[Rule], tables: Tables) -> Check | None:
        compiled = [
            (
                rule,
                expand_procedures(rule.params["codes"]),
                expand_procedures(rule.params.get("with_codes", ())),
                tuple(rule.params["field"].split(".")),
                rule.params["expected"],
            )
            for rule in rules
        ]

        def check(claim: PreparedClaim, emit: Emit) -> None:
            encounter = encounter_of(claim)
            for rule, codes, partners, path, expected in compiled:
                value = _read(encounter, path)
                # The claim schema gives the field the type `expected` has.
                # Most encounters state what the rule asks, which settles the
                # rule before looking for the lines it applies to.
                if value == expected:
                    continue
                found = _applies(claim, codes, partners)
                if found is None:
                    continue
                _emit(rule, emit, found, ".".join(path), expected, value)

        return check


def _applies(
    claim: PreparedClaim, codes: frozenset[str], partners: frozenset[str]
) -> tuple[Line, Line | None] | None:
    """The first line of `codes` (with its same-day partner) the rule applies to."""
    for line in claim.lines:
        if line.code not in codes:
            continue
        if not partners:
            return line, None
        partner = claim.same_day_line(line, partners)
        if partner is not None:
            return line, partner
    return None


def _read(encounter: dict[str, Any], path: tuple[str, ...]) -> Any:
    node: Any = encounter
    for name in path:
        if isinstance(node, dict):
            # Compiled, the dict's own get; the claim document is made of
            # dicts, and the abc check of Mapping below is slow.
            node = node.get(name)
            continue
        if not isinstance(node, Mapping):
            return None
        node = node.get(name)
    return node


def _shown(value: Any) -> str:
    return str(value).lower() if isinstance(value, bool) else f'"{value}"'


def _emit(
    rule: Rule,
    emit: Emit,
    found: tuple[Line, Line | None],
    field: str,
    expected: Any,
    value: Any,
) -> None:
    line, partner = found
    billed = f"{line.code} (line {line.number})"
    if partner is not None:
        billed += f" with {partner.code} (line {partner.number}) on {line.service_date}"
    state = "it is missing" if value is None else f"it is {_shown(value)}"
    emit(
        rule,
        f"{billed} needs the encounter to state {field} = {_shown(expected)}; {state}",
        at="/encounter/" + field.replace(".", "/"),
        evidence={
            "code": line.code,
            "line": line.number,
            "with_code": partner.code if partner else None,
            "field": field,
            "expected": expected,
            "value": value,
        },
    )
