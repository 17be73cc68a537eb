"""Measure `claimpolicy check` against baselines, on claims made for the run.

    python bench/run.py                      # the full set, 5 runs each
    python bench/run.py --claims 20000 --runs 3 --big 0   # a quick look

What it measures, each the median of `--runs` runs on the same files:

- claims per second of `claimpolicy check` in one process and with `--jobs`
  (the command's own summary line: checking time, packs already loaded),
  with the peak memory of the run and a check that the outputs are equal;
- baseline (a): reading the same lines and parsing them with orjson;
  its runs alternate with those of `check` (a round is one run of each),
  and the ratio of the two, like the speed-up of `--jobs`, is the median
  of the rounds' ratios: on a shared machine, whose load comes and goes,
  the figures compared are then taken under the same load;
- baseline (b): parsing plus python-jsonschema with format checks, on a
  sample (it runs at a few hundred claims per second);
- loading every built-in pack and code set in a fresh process, with an
  empty cache (cold) and again with the cache the cold run left (warm);
- peak memory for `--small` and `--big` claims in one process;
- 10 against 10,000 rules of one kind whose codes no claim has;
- what each rule kind costs per claim, in this process;
- with `--instructions N` (valgrind installed): the machine instructions a
  claim costs, `check --jobs 1` against baseline (a), counted by callgrind.
  Unlike seconds, the count does not move with the load of a shared
  machine; it says nothing of cache misses, which seconds include.

It prints a table and writes the figures to bench/out/ as JSON.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import orjson

from claimpolicy.plugins import AUTOLOAD_OFF

sys.path.insert(0, str(Path(__file__).resolve().parent))
from claims import write_batch

OUT = Path(__file__).resolve().parent / "out"
SUMMARY = re.compile(rb"claimpolicy: (\d+) claims? in ([\d.]+) s")
RATE = "claims_per_second"


# -- running the command -------------------------------------------------------


def run_check(
    path: Path, *options: str, env: dict[str, str] | None = None
) -> dict[str, Any]:
    """One `claimpolicy check` run: its rate, wall time, peak memory, output digest."""
    with tempfile.TemporaryFile(dir=OUT) as output:
        started = time.perf_counter()
        process = subprocess.Popen(
            [sys.executable, "-m", "claimpolicy", "check", *options, str(path)],
            stdout=output,
            stderr=subprocess.PIPE,
            env=env,
        )
        stderr = process.stderr.read() if process.stderr else b""
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        output.seek(0)
        digest = hashlib.sha256()
        while block := output.read(1 << 20):
            digest.update(block)
    found = SUMMARY.search(stderr)
    if process.returncode not in (0, 1) or found is None:
        raise SystemExit(
            f"check failed ({process.returncode}): {stderr.decode()[-500:]}"
        )
    claims, seconds = int(found[1]), float(found[2])
    return {
        "claims": claims,
        "seconds": seconds,
        "claims_per_second": claims / seconds,
        "wall_seconds": wall,
        # ru_maxrss is in KiB on Linux: the largest process of the run's tree.
        "peak_rss_mib": usage.ru_maxrss / 1024,
        "output_sha256": digest.hexdigest(),
    }


def median_of(runs: int, measure: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    return summary_of([measure() for _ in range(runs)])


def in_turn(
    runs: int, measures: dict[str, Callable[[], dict[str, Any]]]
) -> dict[str, list[dict[str, Any]]]:
    """`runs` rounds of every measure, one after the other in each round.

    Figures that are divided by one another are then taken seconds apart,
    under the same load of a shared machine, instead of one figure's five
    runs minutes before the other's; a ratio is the median of the rounds'.
    """
    results: dict[str, list[dict[str, Any]]] = {name: [] for name in measures}
    for _ in range(runs):
        for name, measure in measures.items():
            results[name].append(measure())
    return results


def ratios(
    tops: list[dict[str, Any]], bottoms: list[dict[str, Any]], key: str
) -> list[float]:
    """`top[key] / bottom[key]` of each round."""
    return [top[key] / bottom[key] for top, bottom in zip(tops, bottoms, strict=True)]


def summary_of(results: list[dict[str, Any]]) -> dict[str, Any]:
    summary: dict[str, Any] = {"runs": len(results)}
    for key, value in results[0].items():
        if isinstance(value, int | float):
            summary[key] = statistics.median(r[key] for r in results)
            summary[f"{key}_all"] = [r[key] for r in results]
        else:
            summary[key] = sorted({r[key] for r in results})
    return summary


# -- baselines -------------------------------------------------------------------


def baseline_parse(path: Path) -> dict[str, Any]:
    """(a) Read the lines and parse each with orjson, nothing else."""
    started = time.perf_counter()
    count = 0
    with open(path, "rb") as stream:
        for line in stream:
            count += 1
            # Not contextlib.suppress: a context manager per line would cost
            # more than the baseline is meant to measure.
            try:  # noqa: SIM105
                orjson.loads(line)
            except orjson.JSONDecodeError:
                pass
    seconds = time.perf_counter() - started
    return {"claims": count, "seconds": seconds, "claims_per_second": count / seconds}


def baseline_jsonschema(path: Path, sample: int) -> dict[str, Any]:
    """(b) Parse, then every error of python-jsonschema with format checks on."""
    import jsonschema

    from claimpolicy.resources import claim_schema

    validator = jsonschema.Draft202012Validator(
        claim_schema(), format_checker=jsonschema.FormatChecker()
    )
    with open(path, "rb") as stream:
        lines = [line for _, line in zip(range(sample), stream, strict=False)]
    started = time.perf_counter()
    for line in lines:
        try:
            document = orjson.loads(line)
        except orjson.JSONDecodeError:
            continue
        for _ in validator.iter_errors(document):
            pass
    seconds = time.perf_counter() - started
    return {
        "claims": len(lines),
        "seconds": seconds,
        "claims_per_second": len(lines) / seconds,
    }


# -- instructions ------------------------------------------------------------------

CALLGRIND_TOTAL = re.compile(rb"I\s+refs:\s+([\d,]+)")
PARSE_SCRIPT = textwrap.dedent(
    """
    import sys, orjson
    with open(sys.argv[1], "rb") as stream:
        for line in stream:
            try:
                orjson.loads(line)
            except orjson.JSONDecodeError:
                pass
    """
)


def instructions_of(argv: list[str]) -> int:
    """Every instruction a command runs, counted by callgrind."""
    result = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", *argv],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        check=False,
    )
    found = CALLGRIND_TOTAL.search(result.stderr)
    if found is None:
        raise SystemExit(f"valgrind failed: {result.stderr.decode()[-500:]}")
    return int(found.group(1).replace(b",", b""))


def instruction_counts(path: Path, count: int) -> dict[str, Any]:
    """Instructions per claim of the engine and of baseline (a).

    Each command runs on `count` claims and on the same claims twice; the
    difference is what `count` claims cost once the process has started,
    loaded its packs and seen each claim's codes and dates once.
    """
    with open(path, "rb") as stream:
        head = b"".join(line for _, line in zip(range(count), stream, strict=False))
    once, twice = (
        OUT / f"instructions-{count}.ndjson",
        OUT / f"instructions-{count}x2.ndjson",
    )
    once.write_bytes(head)
    twice.write_bytes(head + head)

    def per_claim(*argv: str) -> float:
        first = instructions_of([sys.executable, *argv, str(once)])
        second = instructions_of([sys.executable, *argv, str(twice)])
        return (second - first) / count

    engine = per_claim(
        "-m", "claimpolicy", "check", "--jobs", "1", "--format", "ndjson"
    )
    parse = per_claim("-c", PARSE_SCRIPT)
    return {
        "claims": count,
        "engine_per_claim": engine,
        "baseline_a_per_claim": parse,
        "ratio_to_a": engine / parse,
    }


# -- loading -----------------------------------------------------------------------

LOAD_SCRIPT = textwrap.dedent(
    """
    import json, time
    started = time.perf_counter()
    from claimpolicy import Engine
    imported = time.perf_counter()
    engine = Engine()
    for codeset in engine.registry.codesets.values():
        codeset.table()
    for pack in engine.registry.all():
        engine.ruleset_for(None, pack.effective_from)
    loaded = time.perf_counter()
    print(json.dumps({"import_seconds": imported - started,
                      "load_seconds": loaded - imported,
                      "rules": sum(len(p.rules) for p in engine.registry.all()),
                      "codesets": len(engine.registry.codesets)}))
    """
)


def measure_load(cache: Path) -> dict[str, Any]:
    env = {**os.environ, "CLAIMPOLICY_CACHE_DIR": str(cache)}
    result = subprocess.run(
        [sys.executable, "-c", LOAD_SCRIPT], capture_output=True, env=env, check=True
    )
    return dict(json.loads(result.stdout))


def load_times(runs: int) -> dict[str, Any]:
    cold, warm = [], []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as folder:
            cold.append(measure_load(Path(folder)))
            warm.append(measure_load(Path(folder)))
    return {
        "cold": _medians(cold),
        "warm": _medians(warm),
    }


def _medians(results: list[dict[str, Any]]) -> dict[str, Any]:
    return {key: statistics.median(r[key] for r in results) for key in results[0]} | {
        f"{key}_all": [r[key] for r in results] for key in ("load_seconds",)
    }


# -- scaling with the number of rules ---------------------------------------------

SCALE_PACK = """\
name = "bench-scale"
version = "1.0.0"
title = "Rules that touch no code of the benchmark's claims"
reference = "claimpolicy bench/run.py"
maintainer = "bench"
requires_engine = ">=0.1"
rules = ["rules.toml"]

[effective]
from = 2020-01-01
"""


def write_scale_pack(folder: Path, count: int) -> Path:
    """A national pack of `count` required-modifier rules on codes no claim has."""
    pack = folder / f"scale-{count}" / "bench-scale" / "1.0.0"
    pack.mkdir(parents=True, exist_ok=True)
    (pack / "pack.toml").write_text(SCALE_PACK)
    rules = []
    for number in range(count):
        rules.append(
            "[[rules]]\n"
            f'id = "SCALE-{number:05d}"\n'
            'kind = "required-modifier"\n'
            'category = "modifier"\n'
            'severity = "error"\n'
            'title = "A rule that no benchmark claim touches"\n'
            'reference = "claimpolicy bench/run.py"\n'
            f'codes = ["X{number:04d}"]\n'
            f'with_codes = ["Y{number:04d}"]\n'
            'modifiers = ["25"]\n'
        )
    (pack / "rules.toml").write_text("\n".join(rules))
    return pack.parent.parent


def scaling(path: Path, runs: int) -> dict[str, Any]:
    results = {}
    with tempfile.TemporaryDirectory() as folder:
        for count in (10, 10_000):
            packs = write_scale_pack(Path(folder), count)
            run_check(path, "--jobs", "1", "--pack-path", str(packs))  # fills the cache
            options = ("--jobs", "1", "--pack-path", str(packs))
            results[count] = median_of(runs, partial(run_check, path, *options))
    return {
        "rules_10": results[10],
        "rules_10000": results[10_000],
        "time_ratio": results[10_000]["seconds"] / results[10]["seconds"],
    }


# -- what each kind costs -------------------------------------------------------


def kind_costs(path: Path, limit: int = 10_000) -> dict[str, float]:
    """Microseconds per claim of each rule kind's check, on the valid claims."""
    from claimpolicy import Engine
    from claimpolicy.claim import PreparedClaim
    from claimpolicy.packs.resolve import NoPackInForce

    engine = Engine()
    claims = []
    with open(path, "rb") as stream:
        for _, line in zip(range(limit), stream, strict=False):
            try:
                document = orjson.loads(line)
            except orjson.JSONDecodeError:
                continue
            if not engine.validator.problems(document):
                claims.append(PreparedClaim(document))
    with_rules = []
    for claim in claims:
        ruleset = engine.ruleset_for(claim.payer, claim.service_date)
        if not isinstance(ruleset, NoPackInForce):
            with_rules.append((claim, ruleset))
    by_kind: dict[str, dict[int, Any]] = {}
    for _, ruleset in with_rules:
        for name, check in ruleset.checks:
            by_kind.setdefault(name, {})[id(ruleset)] = check
    costs: dict[str, float] = {}
    for name, checks in by_kind.items():
        best = float("inf")
        for _ in range(3):
            started = time.process_time()
            for claim, ruleset in with_rules:
                found = checks.get(id(ruleset))
                if found is not None:
                    found(claim, _discard)
            best = min(best, time.process_time() - started)
        costs[name] = best / len(with_rules) * 1e6
    return dict(sorted(costs.items(), key=lambda item: -item[1]))


def _discard(*args: Any, **kwargs: Any) -> None:
    pass


def engine_split(path: Path, limit: int = 20_000) -> dict[str, float]:
    """Microseconds per line of check + encode in this process, with every
    rule kind and with none (what parsing, the schema, preparing the claim
    and writing the report cost by themselves)."""
    from claimpolicy import Engine
    from claimpolicy.io.formats import NdjsonFormat

    engine = Engine()
    encode = NdjsonFormat().encoder()
    with open(path, "rb") as stream:
        lines = [line for _, line in zip(range(limit), stream, strict=False)]

    def best() -> float:
        fastest = float("inf")
        for _ in range(3):
            started = time.process_time()
            for line in lines:
                encode(engine.check_json(line))
            fastest = min(fastest, time.process_time() - started)
        return fastest / len(lines) * 1e6

    with_rules = best()
    for ruleset in engine._rulesets.values():
        ruleset.checks = []
    return {"with_rules": with_rules, "without_rules": best()}


# -- the report ----------------------------------------------------------------------


def machine() -> dict[str, Any]:
    model = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpu": model,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "load_average_at_start": os.getloadavg(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument(
        "--claims", type=int, default=100_000, help="claims per run (100,000)"
    )
    parser.add_argument(
        "--runs", type=int, default=5, help="runs per figure; the median is kept (5)"
    )
    parser.add_argument(
        "--jobs", type=int, default=2, help="processes of the parallel run (2)"
    )
    parser.add_argument(
        "--small", type=int, default=10_000, help="claims of the small memory run"
    )
    parser.add_argument(
        "--big",
        type=int,
        default=1_000_000,
        help="claims of the large memory run (0: skip)",
    )
    parser.add_argument(
        "--big-runs",
        type=int,
        default=None,
        help="runs of the large memory run (--runs)",
    )
    parser.add_argument(
        "--sample", type=int, default=2_000, help="claims of baseline (b)"
    )
    parser.add_argument(
        "--instructions",
        type=int,
        default=0,
        metavar="N",
        help="count instructions per claim on N claims with valgrind (0: skip)",
    )
    parser.add_argument("--seed", type=int, default=2026)
    arguments = parser.parse_args()
    runs = arguments.runs
    OUT.mkdir(exist_ok=True)
    # The built-in packs only: no plugin installed on the machine takes part.
    os.environ[AUTOLOAD_OFF] = "1"
    stamp = time.strftime("%Y%m%d-%H%M%S")
    figures: dict[str, Any] = {
        "machine": machine(),
        "claims": arguments.claims,
        "runs": runs,
    }

    def save() -> None:
        # After every step, so that a run cut short keeps what it measured.
        for name in (f"bench-{stamp}.json", "latest.json"):
            (OUT / name).write_text(json.dumps(figures, indent=2) + "\n")

    def batch(count: int) -> Path:
        return write_batch(
            OUT / f"claims-{count}-{arguments.seed}.ndjson", count, arguments.seed
        )

    main_file = batch(arguments.claims)
    run_check(main_file, "--jobs", "1")  # warms the cache of parsed packs
    step(f"baseline (a), check --jobs 1 and check --jobs {arguments.jobs}, in turn")
    rounds = in_turn(
        runs,
        {
            "baseline_a": lambda: baseline_parse(main_file),
            "one_process": lambda: run_check(main_file, "--jobs", "1"),
            "parallel": lambda: run_check(main_file, "--jobs", str(arguments.jobs)),
        },
    )
    figures["baseline_a"] = summary_of(rounds["baseline_a"])
    one = figures["one_process"] = summary_of(rounds["one_process"])
    many = figures["parallel"] = summary_of(rounds["parallel"])
    figures["parallel"]["jobs"] = arguments.jobs
    # Claims per second of a over the engine's: the engine's time over a's.
    rounds_to_a = ratios(rounds["baseline_a"], rounds["one_process"], RATE)
    speedups = ratios(rounds["parallel"], rounds["one_process"], RATE)
    figures["ratio_to_a"] = statistics.median(rounds_to_a)
    figures["ratio_to_a_all"] = rounds_to_a
    figures["parallel_speedup"] = statistics.median(speedups)
    figures["parallel_speedup_all"] = speedups
    figures["parallel_same_output"] = one["output_sha256"] == many["output_sha256"]
    save()
    step("baseline (b): orjson + python-jsonschema")
    figures["baseline_b"] = median_of(
        runs, lambda: baseline_jsonschema(main_file, arguments.sample)
    )
    figures["per_claim_us"] = {
        "engine": 1e6 / one["claims_per_second"],
        "baseline_a": 1e6 / figures["baseline_a"]["claims_per_second"],
        "baseline_b": 1e6 / figures["baseline_b"]["claims_per_second"],
    }
    figures["ratio_to_b"] = (
        figures["per_claim_us"]["engine"] / figures["per_claim_us"]["baseline_b"]
    )
    save()
    step("loading, cold and warm")
    figures["load"] = load_times(runs)
    save()
    step("10 and 10,000 rules")
    figures["scaling"] = scaling(batch(arguments.small), runs)
    save()
    step("memory")
    memory = figures["memory"] = {
        "small": median_of(
            runs, lambda: run_check(batch(arguments.small), "--jobs", "1")
        )
    }
    save()
    if arguments.big:
        big = batch(arguments.big)
        memory["big"] = median_of(
            arguments.big_runs or runs, lambda: run_check(big, "--jobs", "1")
        )
        memory["ratio"] = (
            memory["big"]["peak_rss_mib"] / memory["small"]["peak_rss_mib"]
        )
    save()
    step("rule kinds")
    figures["kind_costs_us"] = kind_costs(main_file)
    figures["engine_us"] = engine_split(main_file)
    if arguments.instructions:
        step("instructions (callgrind)")
        figures["instructions"] = instruction_counts(main_file, arguments.instructions)
    figures["machine"]["load_average_at_end"] = os.getloadavg()
    save()
    print(table(figures, arguments))
    print(f"\nfigures: {OUT / f'bench-{stamp}.json'}")


def step(text: str) -> None:
    print(f"... {text}", file=sys.stderr, flush=True)


def table(f: dict[str, Any], arguments: argparse.Namespace) -> str:
    m, us = f["machine"], f["per_claim_us"]
    one, many = f["one_process"], f["parallel"]
    load, scale, memory = f["load"], f["scaling"], f["memory"]
    a, b = f["baseline_a"], f["baseline_b"]
    started, ended = m["load_average_at_start"][0], m["load_average_at_end"][0]
    rows = [
        ("machine", f"{m['cpu']}, {m['cores']} cores, Python {m['python']}"),
        ("load average (start, end)", f"{started:.2f}, {ended:.2f}"),
        (
            "claims per run",
            f"{f['claims']:,} (5% broken), median of {f['runs']}; a ratio is the"
            " median of its rounds'",
        ),
        (
            "check --jobs 1",
            f"{one['claims_per_second']:,.0f} claims/s ({us['engine']:.1f} us/claim)"
            f", peak {one['peak_rss_mib']:.0f} MiB",
        ),
        (
            f"check --jobs {many['jobs']}",
            f"{many['claims_per_second']:,.0f} claims/s, x{f['parallel_speedup']:.2f}"
            f" ({_each(f['parallel_speedup_all'], 2)})"
            f", same output: {f['parallel_same_output']}",
        ),
        (
            "baseline (a) orjson",
            f"{a['claims_per_second']:,.0f} claims/s ({us['baseline_a']:.1f} us)"
            f"; engine time / a = {f['ratio_to_a']:.2f}"
            f" ({_each(f['ratio_to_a_all'], 2)})",
        ),
        (
            "baseline (b) + jsonschema",
            f"{b['claims_per_second']:,.0f} claims/s ({us['baseline_b']:.0f} us"
            f", {arguments.sample:,} claims); engine time / b = {f['ratio_to_b']:.3f}",
        ),
        ("load, cold", _load(load["cold"])),
        ("load, warm", _load(load["warm"])),
        (
            "10 vs 10,000 rules",
            f"{scale['rules_10']['claims_per_second']:,.0f} vs "
            f"{scale['rules_10000']['claims_per_second']:,.0f} claims/s"
            f", time x{scale['time_ratio']:.2f}",
        ),
        (f"memory, {arguments.small:,} claims", _mib(memory["small"])),
    ]
    if "big" in memory:
        big = f"{_mib(memory['big'])} (x{memory['ratio']:.2f})"
        rows.append((f"memory, {arguments.big:,} claims", big))
    if "instructions" in f:
        counted = f["instructions"]
        rows.append(
            (
                "instructions per claim",
                f"{counted['engine_per_claim']:,.0f} vs orjson "
                f"{counted['baseline_a_per_claim']:,.0f} ({counted['claims']:,} "
                f"claims); engine / a = {counted['ratio_to_a']:.1f}",
            )
        )
    width = max(len(name) for name, _ in rows)
    lines = [f"{name:<{width}}  {value}" for name, value in rows]
    split = f["engine_us"]
    lines.append(
        f"\ncheck + encode in this process: {split['with_rules']:.1f} us/claim, "
        f"{split['without_rules']:.1f} us without any rule kind"
    )
    lines.append("rule kinds, us per claim (this process, valid claims):")
    lines += [f"  {name:<24} {cost:6.2f}" for name, cost in f["kind_costs_us"].items()]
    return "\n".join(lines)


def _each(values: list[float], digits: int) -> str:
    """The rounds' figures behind a median, in the order they were taken."""
    return "rounds: " + " ".join(f"{value:.{digits}f}" for value in values)


def _load(figures: dict[str, Any]) -> str:
    return (
        f"{figures['load_seconds']:.3f} s (+ import {figures['import_seconds']:.3f} s)"
    )


def _mib(figures: dict[str, Any]) -> str:
    return f"{figures['peak_rss_mib']:.1f} MiB"


if __name__ == "__main__":
    main()
