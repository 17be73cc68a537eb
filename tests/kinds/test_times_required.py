"""times-required: a timed administration line needs start and stop times."""

from __future__ import annotations

import pytest
from factory import claim, established, findings, line, rule, run

from claimpolicy.kinds.infusion_time import TimesRequired

KIND = TimesRequired()
RULE = rule(KIND, {"codes": ["96365", "96413"]})


@pytest.mark.parametrize(
    ("times", "expected"),
    [
        ({"start": "09:00", "stop": "10:00"}, []),
        (
            {"start": "09:00"},
            [(1, "/stop_time", "96413 is timed and has no stop_time")],
        ),
        (
            {"stop": "10:00"},
            [(1, "/start_time", "96413 is timed and has no start_time")],
        ),
        (
            {},
            [(1, "/start_time", "96413 is timed and has no start_time or stop_time")],
        ),
    ],
)
def test_the_missing_time_is_named(
    times: dict[str, str], expected: list[tuple[int, str, str]]
) -> None:
    emitted = run(KIND, [RULE], claim(line("96413", **times)))
    advice = ": document when the administration started and stopped"
    assert [(e.line, e.at, e.message) for e in emitted] == [
        (number, at, text + advice) for number, at, text in expected
    ]


def test_untimed_codes_are_not_judged() -> None:
    assert run(KIND, [RULE], claim(line("99214"), line("96374"), line("96366"))) == []


def test_cms_core_warns_on_a_missing_stop_time() -> None:
    document = claim(
        line("99214", modifiers=["25"]),
        line("96413", start="09:30"),
        encounter=established(basis="mdm", mdm_level="moderate"),
    )
    assert findings(document) == [("cms-core/DRUG-TIMES-REQUIRED", 2)]
