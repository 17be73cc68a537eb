"""code-pair: NCCI procedure-to-procedure edits."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from factory import claim, findings, line, params_problems, rule, run

from claimpolicy.kinds.base import Rule
from claimpolicy.kinds.pairs import CodePair, _index

KIND = CodePair()


def pair_rule(indicator: int, **row: object) -> Rule:
    return rule(
        KIND,
        {
            "pairs": [
                {
                    "column1": "96413",
                    "column2": "96365",
                    "effective": date(2009, 1, 1),
                    "modifier_indicator": indicator,
                    **row,
                }
            ],
            "em_codes": ["99211-99215"],
        },
    )


EM_RULE = rule(
    KIND,
    {
        "pairs": [
            {
                "column1": "96360-96549",
                "column2": "99211",
                "effective": date(2005, 10, 28),
                "modifier_indicator": 0,
            },
            {
                "column1": "96372",
                "column2": "99214",
                "effective": date(2009, 1, 1),
                "modifier_indicator": 1,
            },
        ],
        "em_codes": ["99211-99215"],
    },
)


def test_indicator_0_fires_on_the_column_2_line_whatever_its_modifiers() -> None:
    document = claim(line("99211", modifiers=["25"]), line("96413"))
    [emitted] = run(KIND, [EM_RULE], document)
    assert (emitted.line, emitted.at) == (1, "/code")
    assert emitted.message == (
        "99211 is not paid with 96413 (line 2) on the same date, 2026-03-10; no "
        "modifier allows the pair"
    )
    assert emitted.evidence["modifier_indicator"] == 0


def test_only_the_same_date_of_service_counts() -> None:
    document = claim(line("99211"), line("96413", day="2026-03-11"))
    assert run(KIND, [EM_RULE], document) == []


@pytest.mark.parametrize(
    ("modifiers_96413", "modifiers_96365", "fires"),
    [
        ((), (), True),
        ((), ("59",), False),
        ((), ("XS",), False),
        (("59",), (), True),  # the modifier belongs on the column 2 code
        ((), ("25",), True),  # 25 bypasses only on an E/M line
    ],
)
def test_indicator_1_needs_a_bypass_modifier_on_column_2(
    modifiers_96413: tuple[str, ...], modifiers_96365: tuple[str, ...], fires: bool
) -> None:
    document = claim(
        line("96413", modifiers=modifiers_96413),
        line("96365", modifiers=modifiers_96365),
    )
    emitted = run(KIND, [pair_rule(1)], document)
    assert [(e.line, e.at) for e in emitted] == ([(2, "/modifiers")] if fires else [])


def test_indicator_1_message_says_where_the_modifier_goes() -> None:
    [emitted] = run(KIND, [pair_rule(1)], claim(line("96413"), line("96365")))
    assert emitted.message == (
        "96365 is billed with 96413 (line 1) on 2026-03-10; the pair is paid only "
        "with modifier 59 or XE or XP or XS or XU on 96365 when the services were "
        "distinct"
    )


def test_modifier_25_on_the_em_line_bypasses_an_em_pair() -> None:
    with_25 = claim(line("99214", modifiers=["25"]), line("96372"))
    without = claim(line("99214"), line("96372"))
    assert run(KIND, [EM_RULE], with_25) == []
    [emitted] = run(KIND, [EM_RULE], without)
    assert emitted.message.endswith(
        "the pair is paid only with modifier 59 or XE or XP or XS or XU on 99214, "
        "or 25 on 99214 when the services were distinct"
    )


def test_indicator_9_never_fires() -> None:
    assert run(KIND, [pair_rule(9)], claim(line("96413"), line("96365"))) == []


@pytest.mark.parametrize(
    ("day", "fires"),
    [
        ("2019-12-31", False),  # before the edit's effective date
        ("2020-01-01", True),  # effective <= date
        ("2020-06-30", True),  # the day before the deletion
        ("2020-07-01", False),  # date == deletion: no longer in force
    ],
)
def test_an_edit_is_in_force_from_effective_to_before_deletion(
    day: str, fires: bool
) -> None:
    edit = pair_rule(0, effective=date(2020, 1, 1), deleted=date(2020, 7, 1))
    document = claim(line("96413", day=day), line("96365", day=day))
    assert bool(run(KIND, [edit], document)) is fires


def test_a_column_2_line_is_reported_once_per_rule() -> None:
    document = claim(line("99211"), line("96413"), line("96415"))
    assert [e.line for e in run(KIND, [EM_RULE], document)] == [1]


def test_rows_compile_to_a_dict_keyed_by_code() -> None:
    rows = [
        {
            "column1": f"{code}",
            "column2": "99211",
            "effective": date(2005, 1, 1),
            "modifier_indicator": 0,
        }
        for code in range(10000, 20000)
    ]
    # Built without the schema check, which is slow for so many rows.
    big = replace(pair_rule(0), params={"pairs": rows})
    index = _index([big])
    assert len(index) == 10000
    assert list(index["12345"]) == ["99211"]


def test_the_indicator_must_be_0_1_or_9() -> None:
    problems = params_problems(
        KIND,
        {
            "pairs": [
                {
                    "column1": "96413",
                    "column2": "96365",
                    "effective": date(2009, 1, 1),
                    "modifier_indicator": 2,
                }
            ]
        },
    )
    assert problems == [
        "test.toml: rules[0].pairs[0].modifier_indicator: 2 is not one of 0, 1, 9"
    ]


def test_the_pack_denies_99211_with_a_drug_administration() -> None:
    document = claim(line("99211", modifiers=["25"]), line("96413"))
    assert ("cms-core/PTP-99211-DRUG-ADMIN", 1) in findings(document)
    passing = claim(line("99214", modifiers=["25"]), line("96413"))
    assert ("cms-core/PTP-99211-DRUG-ADMIN", 1) not in findings(passing)
