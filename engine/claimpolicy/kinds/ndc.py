"""ndc: drug lines carry the National Drug Code of the product given.

A drug line is one whose code is in the HCPCS drug table in force on the
line's date (unless `drug_table = false`) or in the rule's `codes`. The
claim schema already requires an NDC to be 11 digits (the 5-4-2 form of
HIPAA claims) with a quantity above 0 and a unit qualifier, so `malformed`
looks for what a pattern cannot: a labeler segment (digits 1-5) or a product
segment (digits 6-9) of all zeros, the mark of a placeholder typed in for a
missing NDC. (That the FDA assigns no all-zero labeler code is taken from the
labeler codes being FDA-assigned; an all-zero product code was not checked
against the FDA NDC directory.)
"""

from __future__ import annotations

from collections.abc import Sequence

from claimpolicy.claim import Line, PreparedClaim
from claimpolicy.kinds._memory import CODES_REMEMBERED, TableMemories
from claimpolicy.kinds.base import Check, Emit, Rule, RuleKind, Tables
from claimpolicy.kinds.codes import PROCEDURE_LIST, expand_procedures

__all__ = ["Ndc"]

MISSING = "missing"
MALFORMED = "malformed"


class Ndc(RuleKind):
    name = "ndc"
    summary = (
        "`problem = 'missing'`: a drug line (HCPCS drug table, or `codes`) "
        "has no `ndc`; `problem = 'malformed'`: its NDC has a labeler or "
        "product segment of all zeros."
    )
    parameters = {
        "problem": {
            "type": "string",
            "required": True,
            "allowed": [MISSING, MALFORMED],
        },
        "codes": PROCEDURE_LIST,
        "drug_table": {"type": "boolean", "default": True},
    }

    def compile(self, rules: Sequence[Rule], tables: Tables) -> Check | None:
        if not rules:
            return None
        # problem -> rules that take every drug of the table, and code -> rules
        # that name the code: a line visits only the rules of its problem.
        by_table: dict[str, list[Rule]] = {MISSING: [], MALFORMED: []}
        by_code: dict[str, dict[str, list[Rule]]] = {MISSING: {}, MALFORMED: {}}
        for rule in rules:
            problem = rule.params["problem"]
            if rule.params.get("drug_table", True):
                by_table[problem].append(rule)
            for code in expand_procedures(rule.params.get("codes", ())):
                by_code[problem].setdefault(code, []).append(rule)

        def rules_for(problem: str, line: Line) -> list[Rule]:
            listed = by_code[problem].get(line.code, [])
            if not by_table[problem] or not _in_drug_table(tables, line):
                return listed
            return listed + [rule for rule in by_table[problem] if rule not in listed]

        # Most lines have no NDC and are no drug: asking the drug table for
        # each would cost more than the rest of the check. The rules such a
        # line answers to depend only on its code and the HCPCS table in
        # force, and a batch bills the same codes over and over, so they are
        # remembered.
        memories: TableMemories[dict[str, list[Rule]]] = TableMemories(
            tables.hcpcs, dict
        )
        missing_by_day = memories.by_day

        def remember_code(remembered: dict[str, list[Rule]], line: Line) -> list[Rule]:
            if len(remembered) >= CODES_REMEMBERED:
                remembered.clear()
            found = remembered[line.code] = rules_for(MISSING, line)
            return found

        def check(claim: PreparedClaim, emit: Emit) -> None:
            # `or`: a day whose memory is empty simply starts a fresh one.
            day = claim.service_date
            remembered = missing_by_day.get(day) or memories.on(day)
            for line in claim.lines:
                ndc = line.ndc
                if ndc is None:
                    # `is not` first: the lines of a claim share their date
                    # objects, and comparing dates is a call through Python.
                    line_day = line.service_date
                    if line_day is not day and line_day != day:
                        day = line_day
                        remembered = missing_by_day.get(day) or memories.on(day)
                    found = remembered.get(line.code)
                    if found is None:
                        found = remember_code(remembered, line)
                    if found:
                        for rule in found:
                            _missing(rule, emit, line)
                    continue
                code = ndc["code"]
                # An 11-digit NDC without four zeros in a row cannot have an
                # all-zero labeler (5 digits) or product (4 digits) segment.
                if "0000" not in code and len(code) >= 9:
                    continue
                zero = _zero_segments(code)
                if zero:
                    for rule in rules_for(MALFORMED, line):
                        _malformed(rule, emit, line, zero)

        return check


def _in_drug_table(tables: Tables, line: Line) -> bool:
    return tables.drug(line.code, line.service_date) is not None


def _zero_segments(ndc: str) -> list[str]:
    """The names of the segments of an 11-digit NDC that are all zeros."""
    labeler, product = ndc[:5], ndc[5:9]
    return [
        name
        for name, segment in (("labeler", labeler), ("product", product))
        if set(segment) == {"0"}
    ]


def _missing(rule: Rule, emit: Emit, line: Line) -> None:
    emit(
        rule,
        f"{line.code} is a drug code and the line has no NDC: give the "
        "11-digit NDC of the product, its quantity and unit",
        line=line,
        at="/ndc",
        evidence={"code": line.code},
    )


def _malformed(rule: Rule, emit: Emit, line: Line, zero: list[str]) -> None:
    assert line.ndc is not None
    ndc = line.ndc["code"]
    emit(
        rule,
        f"NDC {ndc[:5]}-{ndc[5:9]}-{ndc[9:]} has a {' and '.join(zero)} "
        "segment of all zeros, a placeholder rather than the product's code",
        line=line,
        at="/ndc/code",
        evidence={"code": line.code, "ndc": ndc, "zero_segments": zero},
    )
