"""infusion-minimum: an infusion code needs its minimum documented duration."""

from __future__ import annotations

import pytest
from factory import claim, established, findings, line, rule, run

from claimpolicy.kinds.infusion_time import InfusionMinimum

KIND = InfusionMinimum()
RULE = rule(
    KIND,
    {
        "minimums": [
            {"code": "96365", "min_minutes": 15, "exclusive": True, "instead": "96374"},
            {"code": "96360", "min_minutes": 30, "exclusive": True},
            {"code": "96999", "min_minutes": 20, "exclusive": False},
        ]
    },
)


@pytest.mark.parametrize(
    ("code", "start", "stop", "fires"),
    [
        ("96365", "10:00", "10:15", True),  # 15 minutes: a push
        ("96365", "10:00", "10:16", False),
        ("96360", "13:00", "13:30", True),  # hydration of 30 minutes: not reportable
        ("96360", "13:00", "13:31", False),
        ("96999", "08:00", "08:19", True),  # an inclusive minimum
        ("96999", "08:00", "08:20", False),
        ("96365", "23:50", "00:10", False),  # 20 minutes across midnight
        ("96365", "23:55", "00:05", True),  # 10 minutes across midnight
    ],
)
def test_the_edge_of_the_minimum(code: str, start: str, stop: str, fires: bool) -> None:
    emitted = run(KIND, [RULE], claim(line(code, start=start, stop=stop)))
    assert [(e.line, e.at) for e in emitted] == ([(1, "/code")] if fires else [])


def test_a_short_infusion_is_told_which_push_code_applies() -> None:
    document = claim(line("99213"), line("96365", start="14:05", stop="14:20"))
    [emitted] = run(KIND, [RULE], document)
    assert emitted.line == 2
    assert emitted.message == (
        "96365 ran 15 minutes (14:05-14:20) and needs more than 15: report it as 96374"
    )


def test_short_hydration_is_not_reportable() -> None:
    [emitted] = run(KIND, [RULE], claim(line("96360", start="13:00", stop="13:30")))
    assert emitted.message == (
        "96360 ran 30 minutes (13:00-13:30) and needs more than 30: "
        "a shorter service is not reported as 96360"
    )


def test_a_line_without_times_is_left_to_times_required() -> None:
    assert run(KIND, [RULE], claim(line("96365", start="10:00"))) == []


@pytest.mark.parametrize(
    ("code", "stop", "expected"),
    [
        ("96365", "10:15", [("cms-core/DRUG-INFUSION-PUSH-TIME", 2)]),
        ("96365", "10:16", []),
        ("96413", "10:15", [("cms-core/DRUG-INFUSION-PUSH-TIME", 2)]),
        ("96360", "10:30", [("cms-core/DRUG-HYDRATION-MINIMUM", 2)]),
        ("96360", "10:31", []),
    ],
)
def test_cms_core_rules(code: str, stop: str, expected: list[tuple[str, int]]) -> None:
    document = claim(
        line("99213", modifiers=["25"]),
        line(code, start="10:00", stop=stop),
        encounter=established(basis="mdm", mdm_level="low"),
    )
    assert findings(document) == expected
