"""The exceptions of claimpolicy.

Every exception the engine raises on purpose derives from `ClaimpolicyError`.
Errors caused by what a user wrote (a pack, a lock file, an input file) are
also `ValueError`s, so that callers who do not know this module can still
catch them. Each keeps the parts of its message as fields: the file, the key
path inside it, the bad value and what was expected.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

__all__ = [
    "ClaimpolicyError",
    "CodeSetFileError",
    "InputError",
    "LockError",
    "PackError",
    "PackProblem",
    "PluginError",
]


class ClaimpolicyError(Exception):
    """The root of every error claimpolicy raises on purpose."""


class InputError(ClaimpolicyError, ValueError):
    """An input file cannot be read at all (missing, unreadable, empty)."""

    def __init__(self, file: str, problem: str) -> None:
        super().__init__(f"{file}: {problem}")
        self.file = file
        self.problem = problem


class CodeSetFileError(ClaimpolicyError, ValueError):
    """A code set data file that cannot be read: the file, line and problem."""

    def __init__(self, file: object, line: int | None, problem: str) -> None:
        where = f"{file}: line {line}" if line is not None else str(file)
        super().__init__(f"{where}: {problem}")
        self.file = str(file)
        self.line = line
        self.problem = problem


class PackProblem:
    """One problem found in a pack file: where it is and what is wrong."""

    __slots__ = ("file", "key_path", "message")

    def __init__(self, file: Path | str, key_path: str, message: str) -> None:
        self.file = str(file)
        self.key_path = key_path
        self.message = message

    def __str__(self) -> str:
        where = f"{self.file}: {self.key_path}" if self.key_path else self.file
        return f"{where}: {self.message}"

    def __repr__(self) -> str:
        return f"PackProblem({str(self)!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PackProblem) and str(self) == str(other)

    def __hash__(self) -> int:
        return hash(str(self))


class PackError(ClaimpolicyError, ValueError):
    """A pack, or the set of packs, does not load. Lists every problem found."""

    def __init__(self, problems: Sequence[PackProblem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(problem) for problem in self.problems))


class LockError(ClaimpolicyError, ValueError):
    """A lock file does not match the packs that are installed."""

    def __init__(self, lock_file: str, message: str) -> None:
        super().__init__(f"{lock_file}: {message}")
        self.lock_file = lock_file
        self.problem = message


class PluginError(ClaimpolicyError):
    """A plugin failed to load or declared something the engine cannot use."""

    def __init__(self, plugin: str, message: str) -> None:
        super().__init__(f"plugin {plugin}: {message}")
        self.plugin = plugin
        self.problem = message
