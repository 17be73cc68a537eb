"""What `check` tells on standard error: a progress bar, then one summary line.

The bar shows only when standard error is a terminal; the summary line is
written in every case, once the batch is done:

    claimpolicy: 10000 claims in 0.41 s (24,390/s): 9100 pass, 300 warn, ...
"""

from __future__ import annotations

import shutil
import time
from typing import TextIO

from tqdm import tqdm

from claimpolicy.report import OUTCOMES

__all__ = ["Progress"]

#: Claims between two updates of the bar: an update costs more than a claim.
UPDATE_EVERY = 256


class _Bar(tqdm):  # type: ignore[misc]  # tqdm has no type hints
    # No monitor thread: worker processes are forked while the bar runs.
    monitor_interval = 0


class Progress:
    """Counts outcomes as reports are written; draws a bar on a terminal."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.counts = dict.fromkeys(OUTCOMES, 0)
        self.total = 0
        self.started = time.perf_counter()
        self._shown = 0
        self._bar: _Bar | None = None
        if stream.isatty():
            size = shutil.get_terminal_size()
            self._bar = _Bar(
                file=stream,
                # A terminal that gives no size (a bare pty) still gets a bar.
                ncols=size.columns,
                nrows=size.lines,
                unit="",
                unit_scale=True,
                bar_format="{n_fmt} claims {rate_fmt}{postfix}",
                mininterval=0.2,
                leave=False,
            )

    def add(self, outcomes: list[str]) -> None:
        """Count the outcomes of reports just written."""
        counts = self.counts
        for outcome in outcomes:
            counts[outcome] += 1
        self.total += len(outcomes)
        if self._bar is not None and self.total - self._shown >= UPDATE_EVERY:
            self._update()

    def _update(self) -> None:
        assert self._bar is not None
        self._bar.set_postfix_str(self._counts(), refresh=False)
        self._bar.update(self.total - self._shown)
        self._shown = self.total

    def _counts(self) -> str:
        return ", ".join(f"{self.counts[o]} {o}" for o in OUTCOMES)

    def close(self) -> None:
        """Take the bar away and write the summary line."""
        elapsed = time.perf_counter() - self.started
        if self._bar is not None:
            self._update()
            # The last counts are drawn once, however soon after the last
            # refresh: a batch done within `mininterval` shows them too.
            self._bar.refresh()
            self._bar.close()
        rate = f"{self.total / elapsed:,.0f}/s" if elapsed > 0 else "-/s"
        noun = "claim" if self.total == 1 else "claims"
        print(
            f"claimpolicy: {self.total} {noun} in {elapsed:.2f} s ({rate}): "
            f"{self._counts()}",
            file=self.stream,
            flush=True,
        )
