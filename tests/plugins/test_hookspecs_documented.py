"""The hook specifications are the reference for plugin authors: each one
says what it receives, what it returns, when it is called and how the
results of several plugins combine."""

from __future__ import annotations

import inspect

import pytest

from claimpolicy import hookspecs
from claimpolicy.plugins import HOOK_NAMES

PER_CLAIM = {
    "claimpolicy_prepare_claim",
    "claimpolicy_check_claim",
    "claimpolicy_adjust_findings",
}


def test_every_hook_is_a_marked_specification_named_claimpolicy_verb():
    functions = [
        name
        for name, value in vars(hookspecs).items()
        if inspect.isfunction(value) and value.__module__ == hookspecs.__name__
    ]

    assert sorted(functions) == list(HOOK_NAMES)
    for name in HOOK_NAMES:
        assert getattr(getattr(hookspecs, name), "claimpolicy_spec", None) is not None
        verb = name.split("_")[1]
        assert verb in {"register", "prepare", "check", "adjust"}, name


@pytest.mark.parametrize("name", HOOK_NAMES)
def test_hook_is_documented(name):
    doc = inspect.getdoc(getattr(hookspecs, name)) or ""

    assert "Called once" in doc, f"{name}: say when it is called"
    assert "Return" in doc, f"{name}: say what it returns"
    assert (
        "merged" in doc
        or "Every implementation is called" in doc
        or ("every implementation" in doc)
    ), f"{name}: say how the results of several plugins combine"
    for parameter in inspect.signature(getattr(hookspecs, name)).parameters:
        assert f"`{parameter}`" in doc, f"{name}: say what `{parameter}` is"


@pytest.mark.parametrize("name", sorted(PER_CLAIM))
def test_per_claim_hooks_receive_the_claim_document_as_claim(name):
    parameters = list(inspect.signature(getattr(hookspecs, name)).parameters)

    assert parameters[0] == "claim"


def test_no_hook_is_first_result():
    for name in HOOK_NAMES:
        options = getattr(hookspecs, name).claimpolicy_spec
        assert options["firstresult"] is False, name
