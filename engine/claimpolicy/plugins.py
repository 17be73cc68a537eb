"""Loading plugins: the built-in ones, entry points, and `--plugin MODULE`.

The engine's own rule kinds, readers, formats and packs are plugins too,
registered first through the same hooks as everybody else's.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib.metadata import entry_points
from types import CodeType, TracebackType
from typing import Any

import pluggy

from claimpolicy import hookspecs
from claimpolicy.errors import PluginError

__all__ = ["AUTOLOAD_OFF", "PluginHost", "PluginInfo"]

ENTRY_POINT_GROUP = "claimpolicy"
# Set this variable to any value to skip plugins installed on the machine,
# the way PYTEST_DISABLE_PLUGIN_AUTOLOAD does for pytest.
AUTOLOAD_OFF = "CLAIMPOLICY_DISABLE_PLUGIN_AUTOLOAD"

BUILTIN_PLUGINS = (
    "claimpolicy.kinds.builtin",
    "claimpolicy.io.builtin",
    "claimpolicy.packs.builtin",
)


@dataclass(frozen=True, slots=True)
class PluginInfo:
    """What `claimpolicy plugins` shows of one plugin."""

    name: str
    distribution: str
    version: str
    hooks: tuple[str, ...]
    builtin: bool


class PluginHost:
    """A pluggy manager with the built-ins, and entry points unless disabled."""

    def __init__(
        self,
        *,
        entry_points: bool | None = None,
        modules: Sequence[str] = (),
        objects: Sequence[tuple[str, object]] = (),
    ) -> None:
        if entry_points is None:
            entry_points = not os.environ.get(AUTOLOAD_OFF)
        self.manager = pluggy.PluginManager(hookspecs.PROJECT)
        self.manager.add_hookspecs(hookspecs)
        self._origin: dict[str, tuple[str, str, bool]] = {}
        for name in BUILTIN_PLUGINS:
            self._register(importlib.import_module(name), name, ("claimpolicy", _own_version(), True))
        if entry_points:
            self._load_entry_points()
        for name in modules:
            self._register(_import(name), name, ("--plugin", "", False))
        for name, plugin in objects:
            self._register(plugin, name, ("(registered by the caller)", "", False))
        try:
            # A misspelt hook name fails here, at start-up, not silently later.
            self.manager.check_pending()
        except pluggy.PluginValidationError as error:
            raise PluginError(error.plugin_name or "?", str(error)) from None

    @property
    def hook(self) -> Any:
        return self.manager.hook

    def _register(self, plugin: object, name: str, origin: tuple[str, str, bool]) -> None:
        try:
            self.manager.register(plugin, name=name)
        except (ValueError, pluggy.PluginValidationError) as error:
            raise PluginError(name, str(error)) from None
        self._origin[name] = origin

    def _load_entry_points(self) -> None:
        for point in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda p: p.name):
            if self.manager.get_plugin(point.name) is not None:
                continue
            try:
                plugin = point.load()
            except Exception as error:  # any import failure names the plugin
                raise PluginError(
                    point.name, f"failed to import {point.value}: {error!r}"
                ) from None
            dist = point.dist
            origin = (dist.name, dist.version, False) if dist else ("?", "?", False)
            self._register(plugin, point.name, origin)

    def infos(self) -> list[PluginInfo]:
        result = []
        for name, plugin in self.manager.list_name_plugin():
            distribution, version, builtin = self._origin.get(name, ("?", "?", False))
            hooks = tuple(
                sorted(caller.name for caller in self.manager.get_hookcallers(plugin) or ())
            )
            result.append(PluginInfo(name, distribution, version, hooks, builtin))
        return result

    def collect(self, hook_name: str) -> list[tuple[str, Any]]:
        """Call a `register_*` hook; every item with the plugin that gave it."""
        caller = getattr(self.manager.hook, hook_name)
        items: list[tuple[str, Any]] = []
        for impl in reversed(caller.get_hookimpls()):  # registration order
            try:
                result = impl.function()
            except Exception as error:
                raise PluginError(impl.plugin_name, f"{hook_name} raised {error!r}") from None
            items.extend((impl.plugin_name, item) for item in result or ())
        return items

    def has_implementations(self, hook_name: str) -> bool:
        return bool(getattr(self.manager.hook, hook_name).get_hookimpls())

    def culprit(self, hook_name: str, traceback: TracebackType | None) -> str:
        """The plugin whose implementation of `hook_name` raised."""
        codes: dict[CodeType, str] = {
            impl.function.__code__: impl.plugin_name
            for impl in getattr(self.manager.hook, hook_name).get_hookimpls()
            if hasattr(impl.function, "__code__")
        }
        names = [
            codes[frame.tb_frame.f_code]
            for frame in _frames(traceback)
            if frame.tb_frame.f_code in codes
        ]
        return names[-1] if names else "unknown plugin"


def _frames(traceback: TracebackType | None) -> Iterable[TracebackType]:
    while traceback is not None:
        yield traceback
        traceback = traceback.tb_next


def _import(name: str) -> object:
    try:
        return importlib.import_module(name)
    except Exception as error:
        raise PluginError(name, f"failed to import: {error!r}") from None


def _own_version() -> str:
    from claimpolicy._version import __version__

    return __version__
