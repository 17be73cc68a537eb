"""Compile the per-claim hot path with mypyc; everything else is in pyproject.toml.

The modules below run for every claim (preparing it, every built-in rule
kind, building the report). mypyc turns their type-annotated Python into a C
extension, which checks a claim about 1.7 times faster; the sources stay the
reference, and mypy --strict checks them as before.

A pure-Python build is always possible: set CLAIMPOLICY_PURE_PYTHON=1 (a
machine without a C compiler, or a debugger that steps through the code).
An editable install is always pure Python, so that an edited module takes
effect at once instead of hiding behind a stale compiled copy. A machine
whose C compiler fails gets a working pure-Python install too, with a
warning: the compiled modules only make checking faster.
"""

from __future__ import annotations

import atexit
import os
import shutil
import sys
import tempfile
from pathlib import Path

from setuptools import setup
from setuptools.command.build_ext import build_ext
from setuptools.errors import CCompilerError, CompileError, ExecError, PlatformError

PURE_PYTHON_VARIABLE = "CLAIMPOLICY_PURE_PYTHON"

# Paths relative to this file. A module listed here must not be subclassed
# by interpreted code unless its class says so (mypyc_attr).
COMPILED = [
    "engine/claimpolicy/claim.py",
    "engine/claimpolicy/engine.py",
    "engine/claimpolicy/io/encoders.py",
    "engine/claimpolicy/line_checks.py",
    "engine/claimpolicy/ruleset.py",
    "engine/claimpolicy/kinds/_code_rows.py",
    "engine/claimpolicy/kinds/_memory.py",
    "engine/claimpolicy/kinds/_reads.py",
    "engine/claimpolicy/kinds/_text.py",
    "engine/claimpolicy/kinds/add_ons.py",
    "engine/claimpolicy/kinds/codes.py",
    "engine/claimpolicy/kinds/coverage.py",
    "engine/claimpolicy/kinds/demographic.py",
    "engine/claimpolicy/kinds/documentation.py",
    "engine/claimpolicy/kinds/drugs.py",
    "engine/claimpolicy/kinds/duplicates.py",
    "engine/claimpolicy/kinds/em_basis.py",
    "engine/claimpolicy/kinds/em_mdm.py",
    "engine/claimpolicy/kinds/em_time.py",
    "engine/claimpolicy/kinds/infusion_time.py",
    "engine/claimpolicy/kinds/initial_service.py",
    "engine/claimpolicy/kinds/modifiers.py",
    "engine/claimpolicy/kinds/ndc.py",
    "engine/claimpolicy/kinds/pairs.py",
    "engine/claimpolicy/kinds/patient_status.py",
    "engine/claimpolicy/kinds/pointers.py",
    "engine/claimpolicy/kinds/units.py",
    "engine/claimpolicy/kinds/validity.py",
]


# An empty file: the [tool.mypy] table of pyproject.toml is for checking the
# sources, not for compiling them.
_NO_CONFIG = Path(__file__).parent / "tools" / "mypyc.ini"


# The commands that build what gets installed. Metadata steps (egg_info,
# dist_info) and the PEP 660 editable build (editable_wheel) run setup.py
# too, and must not pay for a mypyc run whose output they throw away.
_BUILDING = {"bdist_wheel", "build", "build_ext", "install"}


def _compiling() -> bool:
    if os.environ.get(PURE_PYTHON_VARIABLE) or "editable_wheel" in sys.argv:
        return False
    return not _BUILDING.isdisjoint(sys.argv)


# A fresh build folder for every build: setuptools would otherwise pack the
# compiled modules an earlier build left in build/, listed here or not.
_BUILD = tempfile.mkdtemp(prefix="claimpolicy-build-")
atexit.register(shutil.rmtree, _BUILD, ignore_errors=True)


def _extensions() -> list[object]:
    if not _compiling():
        return []
    from mypyc.build import mypycify

    # The build environment holds only the build tools: the engine's own
    # dependencies are not installed there, so mypy is told not to look for
    # them (their values are then handled as Python objects, as before).
    options = ["--ignore-missing-imports", "--config-file", str(_NO_CONFIG)]
    return list(
        mypycify(
            [*options, *COMPILED],
            opt_level="3",
            group_name="claimpolicy",
            target_dir=os.path.join(_BUILD, "mypyc"),
        )
    )


class _BuildExtOrFallBack(build_ext):
    """Compile the hot path, or leave the pure-Python modules in charge.

    The sources are packed either way; a compiled module only shadows its
    source. So when the compiler fails, removing whatever it did build
    leaves a complete pure-Python package, never a half-compiled one whose
    modules cannot find the shared library of their group.
    """

    def run(self) -> None:
        try:
            super().run()
        except (CCompilerError, CompileError, ExecError, PlatformError) as error:
            for extension in self.extensions:
                Path(self.get_ext_fullpath(extension.name)).unlink(missing_ok=True)
            print(
                f"warning: claimpolicy could not compile its hot path ({error});"
                " installing it as pure Python, which checks claims more slowly."
                f" Set {PURE_PYTHON_VARIABLE}=1 to skip the attempt.",
                file=sys.stderr,
            )


setup(
    ext_modules=_extensions(),
    cmdclass={"build_ext": _BuildExtOrFallBack},
    options={"build": {"build_base": _BUILD}},
)
