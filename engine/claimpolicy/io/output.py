"""A report format held to its word while a batch is written.

A format that raises while it opens, encodes a report (in this process or in
a worker), writes or closes leaves output that cannot be trusted: the run
stops with a `FormatError` naming the plugin, the format and the hook, and
the exception's type only (its text could quote a claim).
"""

from __future__ import annotations

from typing import Any, BinaryIO

from claimpolicy.errors import PluginError
from claimpolicy.io.encoders import GuardedEncoder
from claimpolicy.io.formats import Encoder, ReportFormat, ReportWriter

__all__ = ["FORMATS_HOOK", "FormatError", "Output", "guarded_encoder"]

FORMATS_HOOK = "claimpolicy_register_formats"


class FormatError(PluginError):
    """A report format raised; what was written so far is incomplete."""

    def __init__(self, plugin: str, format_name: str, error: str, when: str) -> None:
        super().__init__(
            plugin,
            f"report format {format_name!r} ({FORMATS_HOOK}) raised {error} "
            f"while {when}; the output is incomplete",
        )
        self.format_name = format_name
        self.error = error
        self.when = when

    def __reduce__(self) -> tuple[Any, ...]:
        # Raised in worker processes too: rebuilt from its fields there.
        fields = (self.plugin, self.format_name, self.error, self.when)
        return (type(self), fields)


def guarded_encoder(
    encoder: Encoder | None, plugin: str, format_name: str
) -> Encoder | None:
    """`encoder`, raising a `FormatError` for whatever it raises."""
    if encoder is None:
        return None

    def failure(error: Exception) -> FormatError:
        return FormatError(
            plugin, format_name, type(error).__name__, "encoding a report"
        )

    return GuardedEncoder(encoder, failure)


class Output:
    """A format's writer and encoder on a stream, each call guarded."""

    def __init__(
        self, plugin: str, fmt: ReportFormat, stream: BinaryIO, *, evidence: bool
    ) -> None:
        self.plugin = plugin
        self.name = fmt.name
        self.stream = stream
        self.failed = False
        self.writer: ReportWriter = self._call(
            "opening", fmt.open, stream, evidence=evidence
        )
        encoder = self._call("opening", fmt.encoder, evidence=evidence)
        self.encoder = guarded_encoder(encoder, plugin, fmt.name)

    def write(self, outputs: list[Any]) -> None:
        """Write reports in order, or their bytes when the format has an encoder."""
        # Called once per claim or chunk: no helper call between the loop and
        # the writer.
        try:
            if self.encoder is None:
                for report in outputs:
                    self.writer.write(report)
            else:
                self.writer.write_all_encoded(outputs)
        except BrokenPipeError:
            raise  # the reader went away (`| head`): not the format's fault
        except Exception as error:
            raise self._failed(error, "writing a report") from None

    def flush(self) -> None:
        """Send what was written so far on to the stream's reader."""
        self._call("writing a report", self.stream.flush)

    def close(self) -> None:
        """Finish the output, unless the format already failed."""
        if not self.failed:
            self._call("closing the output", self.writer.close)

    def _call(self, when: str, function: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return function(*args, **kwargs)
        except BrokenPipeError:
            raise
        except Exception as error:
            raise self._failed(error, when) from None

    def _failed(self, error: Exception, when: str) -> FormatError:
        self.failed = True
        return FormatError(self.plugin, self.name, type(error).__name__, when)
