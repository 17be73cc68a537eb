"""Loading plugins: the built-in ones, entry points, and `--plugin MODULE`.

The engine's own rule kinds, readers, formats and packs are plugins too,
registered first through the same hooks as everybody else's. Everything a
plugin declares is checked here, when the host starts, so that a mistake
stops the run before the first claim rather than halfway through a batch:
a misspelt hook name, a `claimpolicy_*` function without `@hookimpl`, a hook
wrapper, an argument the hook does not have, an item of the wrong type, and
two plugins claiming one rule kind, edit, report format or file suffix.
"""

from __future__ import annotations

import difflib
import importlib
import inspect
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from importlib import metadata
from typing import Any

import pluggy

from claimpolicy import hookspecs
from claimpolicy.errors import PluginError
from claimpolicy.io.formats import ReportFormat
from claimpolicy.io.readers import Reader
from claimpolicy.kinds.base import RuleKind
from claimpolicy.plugin_api import Edit

__all__ = [
    "AUTOLOAD_OFF",
    "BUILTIN_PLUGINS",
    "ENTRY_POINT_GROUP",
    "HOOK_NAMES",
    "Implementation",
    "PluginHost",
    "PluginInfo",
]

ENTRY_POINT_GROUP = "claimpolicy"
# Set this variable to any value to skip plugins installed on the machine,
# the way PYTEST_DISABLE_PLUGIN_AUTOLOAD does for pytest.
AUTOLOAD_OFF = "CLAIMPOLICY_DISABLE_PLUGIN_AUTOLOAD"

BUILTIN_PLUGINS = (
    "claimpolicy.kinds.builtin",
    "claimpolicy.io.builtin",
    "claimpolicy.packs.builtin",
)
HOOK_NAMES = tuple(
    sorted(name for name in vars(hookspecs) if name.startswith("claimpolicy_"))
)
_MARK = f"{hookspecs.PROJECT}_impl"  # the attribute @hookimpl sets


@dataclass(frozen=True, slots=True)
class PluginInfo:
    """What `claimpolicy plugins` shows of one plugin."""

    name: str
    distribution: str
    version: str
    source: str  # "built-in", "entry point", "--plugin" or "caller"
    hooks: tuple[str, ...]

    @property
    def builtin(self) -> bool:
        return self.source == "built-in"


@dataclass(frozen=True, slots=True)
class Implementation:
    """One plugin's implementation of a hook, called by the engine itself.

    The engine calls per-claim hooks one implementation at a time, so that a
    plugin that raises is named exactly and the others still run.
    """

    plugin: str
    function: Callable[..., Any]
    argnames: tuple[str, ...]

    def __call__(self, **arguments: Any) -> Any:
        # A plugin may take fewer arguments than the hook offers (pluggy's rule).
        return self.function(*[arguments[name] for name in self.argnames])


@dataclass(frozen=True, slots=True)
class _Items:
    """What a `register_*` hook must return, and what must stay unique."""

    expected: tuple[type, ...]
    shown: str
    keys: Callable[[Any], Iterable[str]] = lambda item: ()


_REGISTERED: dict[str, _Items] = {
    "claimpolicy_register_rule_kinds": _Items(
        (RuleKind,), "claimpolicy.RuleKind", lambda kind: [f"rule kind {kind.name!r}"]
    ),
    "claimpolicy_register_pack_paths": _Items(
        (str, os.PathLike), "a folder (pathlib.Path)"
    ),
    "claimpolicy_register_readers": _Items(
        (Reader,),
        "claimpolicy.Reader",
        lambda reader: [f"reader of {s.lower()!r} files" for s in reader.suffixes],
    ),
    "claimpolicy_register_formats": _Items(
        (ReportFormat,),
        "claimpolicy.ReportFormat",
        lambda fmt: [f"report format {fmt.name!r}"],
    ),
    "claimpolicy_register_edits": _Items(
        (Edit,), "claimpolicy.Edit", lambda edit: [f"edit {edit.id!r}"]
    ),
}


class PluginHost:
    """A pluggy manager with the built-ins, and entry points unless disabled.

    `entry_points=None` loads the plugins installed on the machine unless the
    variable CLAIMPOLICY_DISABLE_PLUGIN_AUTOLOAD is set; `modules` are import
    paths loaded for this host only (`--plugin`); `objects` are `(name,
    plugin)` pairs for callers who build plugins in code.
    """

    def __init__(
        self,
        *,
        entry_points: bool | None = None,
        modules: Sequence[str] = (),
        objects: Sequence[tuple[str, object]] = (),
    ) -> None:
        if entry_points is None:
            entry_points = not os.environ.get(AUTOLOAD_OFF)
        self.autoload = entry_points
        self.manager = pluggy.PluginManager(hookspecs.PROJECT)
        self.manager.add_hookspecs(hookspecs)
        self._origins: dict[str, tuple[str, str, str]] = {}
        self._collected: dict[str, list[tuple[str, Any]]] = {}

        for name in BUILTIN_PLUGINS:
            origin = ("claimpolicy", _own_version(), "built-in")
            self._register(importlib.import_module(name), name, origin)
        if entry_points:
            self._load_entry_points()
        for name in modules:
            self._register(_import(name), name, _module_origin(name))
        for name, plugin in objects:
            self._register(plugin, name, ("", "", "caller"))
        self._refuse_unknown_hooks()

    @property
    def hook(self) -> Any:
        return self.manager.hook

    # -- registering ---------------------------------------------------------

    def _register(
        self, plugin: object, name: str, origin: tuple[str, str, str]
    ) -> None:
        if self.manager.is_registered(plugin):
            return  # installed and also named by --plugin: it is active once
        _refuse_unmarked(plugin, name)
        try:
            self.manager.register(plugin, name=name)
        except pluggy.PluginValidationError as error:
            raise PluginError(name, str(error)) from None
        except ValueError:
            other = self._origins.get(name, ("?", "", ""))
            raise PluginError(
                name,
                f"the name is taken by another plugin (from {_describe(other)})",
            ) from None
        self._origins[name] = origin
        for caller in self.manager.get_hookcallers(plugin) or ():
            for impl in caller.get_hookimpls():
                if impl.plugin is plugin and (impl.wrapper or impl.hookwrapper):
                    self.manager.unregister(plugin)
                    raise PluginError(
                        name,
                        f"{caller.name} is declared as a wrapper; claimpolicy "
                        "hooks take plain implementations only",
                    )

    def _load_entry_points(self) -> None:
        points = metadata.entry_points(group=ENTRY_POINT_GROUP)
        for point in sorted(points, key=lambda point: point.name):
            dist = point.dist
            origin = (
                (dist.name, dist.version, "entry point")
                if dist is not None
                else ("?", "?", "entry point")
            )
            try:
                plugin = point.load()
            except Exception as error:  # any failure to import names the plugin
                raise PluginError(
                    point.name,
                    f"failed to import {point.value} (from {_describe(origin)}): "
                    f"{type(error).__name__}: {error}; run with --no-plugins or "
                    f"set {AUTOLOAD_OFF}=1 to start without it",
                ) from None
            self._register(plugin, point.name, origin)

    def _refuse_unknown_hooks(self) -> None:
        # pluggy's own check names the plugin object, not our plugin name,
        # and does not suggest the hook that was meant.
        for name, caller in sorted(vars(self.manager.hook).items()):
            if name.startswith("_") or caller.has_spec():
                continue
            for impl in caller.get_hookimpls():
                if impl.optionalhook:
                    continue
                close = difflib.get_close_matches(name, HOOK_NAMES, n=1)
                hint = f" (did you mean {close[0]}?)" if close else ""
                known = ", ".join(HOOK_NAMES)
                raise PluginError(
                    impl.plugin_name,
                    f"{name} is not a claimpolicy hook{hint}; the hooks are: {known}",
                )

    # -- what the engine asks ------------------------------------------------

    def infos(self) -> list[PluginInfo]:
        """Every active plugin, in registration order, with its hooks."""
        result = []
        for name, plugin in self.manager.list_name_plugin():
            distribution, version, source = self._origins[name]
            callers = self.manager.get_hookcallers(plugin) or ()
            hooks = tuple(sorted(caller.name for caller in callers))
            result.append(PluginInfo(name, distribution, version, source, hooks))
        return result

    def collect(self, hook_name: str) -> list[tuple[str, Any]]:
        """Call a `register_*` hook once; every item with its plugin's name.

        Items are checked for their type, and a name (rule kind, edit, report
        format, file suffix) given by two plugins stops the run naming both.
        """
        if hook_name not in self._collected:
            self._collected[hook_name] = self._collect(hook_name)
        return list(self._collected[hook_name])

    def _collect(self, hook_name: str) -> list[tuple[str, Any]]:
        rules = _REGISTERED[hook_name]
        items: list[tuple[str, Any]] = []
        owners: dict[str, str] = {}
        # Registration order (built-ins first), so that a name claimed twice
        # is blamed on the newcomer, never on the built-in it collides with.
        for impl in reversed(self.implementations(hook_name)):
            try:
                result = impl()
            except Exception as error:
                raise PluginError(
                    impl.plugin, f"{hook_name} raised {type(error).__name__}: {error}"
                ) from None
            for item in _as_list(result, impl.plugin, hook_name):
                if not isinstance(item, rules.expected):
                    raise PluginError(
                        impl.plugin,
                        f"{hook_name} returned {item!r}: expected {rules.shown}",
                    )
                for key in _keys(rules, item, impl.plugin, hook_name):
                    if key in owners:
                        raise PluginError(
                            impl.plugin,
                            f"{key} is already registered by plugin {owners[key]}",
                        )
                    owners[key] = impl.plugin
                items.append((impl.plugin, item))
        return items

    def implementations(self, hook_name: str) -> tuple[Implementation, ...]:
        """A hook's implementations in the order pluggy would call them.

        Plugins registered later run first; `@hookimpl(tryfirst=True)` and
        `trylast=True` move an implementation to the front or the back.
        """
        caller = getattr(self.manager.hook, hook_name)
        return tuple(
            Implementation(impl.plugin_name, impl.function, tuple(impl.argnames))
            for impl in reversed(caller.get_hookimpls())
        )


def _refuse_unmarked(plugin: object, name: str) -> None:
    # pluggy skips a function without the marker in silence; a hook that
    # never runs is worse than a run that does not start.
    for attribute in dir(plugin):
        if not attribute.startswith("claimpolicy_"):
            continue
        value = getattr(plugin, attribute, None)
        if not callable(value):
            continue
        if getattr(value, _MARK, None) is None:
            raise PluginError(
                name,
                f"{attribute} is named like a hook but not marked "
                "@claimpolicy.hookimpl",
            )
        _refuse_unknown_arguments(name, attribute, value)


def _refuse_unknown_arguments(name: str, hook: str, function: Any) -> None:
    spec = getattr(hookspecs, hook, None)
    if spec is None:
        return  # an unknown hook: reported once every plugin is registered
    offered = list(inspect.signature(spec).parameters)
    taken = [
        parameter.name
        for parameter in inspect.signature(function).parameters.values()
        if parameter.default is inspect.Parameter.empty
    ]
    unknown = [argument for argument in taken if argument not in offered]
    if unknown:
        raise PluginError(
            name,
            f"{hook} takes {', '.join(unknown)}, which the hook does not offer "
            f"(it offers: {', '.join(offered) or 'nothing'})",
        )


def _as_list(result: object, plugin: str, hook_name: str) -> list[Any]:
    if result is None:
        return []
    if isinstance(result, str | bytes) or not isinstance(result, Iterable):
        raise PluginError(
            plugin, f"{hook_name} returned {result!r}: expected a list of items"
        )
    return list(result)


def _keys(rules: _Items, item: object, plugin: str, hook_name: str) -> list[str]:
    try:
        return list(rules.keys(item))
    except AttributeError as error:  # a subclass that forgot a class attribute
        raise PluginError(
            plugin, f"{hook_name} returned {item!r}, which lacks {error.name!r}"
        ) from None


def _import(name: str) -> object:
    try:
        return importlib.import_module(name)
    except Exception as error:
        raise PluginError(
            name, f"failed to import: {type(error).__name__}: {error}"
        ) from None


def _module_origin(module: str) -> tuple[str, str, str]:
    """The distribution that installed `module`, if any, for `plugins`."""
    top = module.partition(".")[0]
    for distribution in metadata.packages_distributions().get(top, ()):
        try:
            return (distribution, metadata.version(distribution), "--plugin")
        except metadata.PackageNotFoundError:
            continue
    return ("", "", "--plugin")  # imported from the path, not installed


def _describe(origin: tuple[str, str, str]) -> str:
    distribution, version, _ = origin
    return f"{distribution} {version}".strip() or "a module that is not installed"


def _own_version() -> str:
    from claimpolicy._version import __version__

    return __version__
