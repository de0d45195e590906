"""The report layer's exceptions: one base class, typed subclasses.

Report text never depends on an exception's wording: code that must react to a
failure catches its class (e.g. :class:`NoSolution`) and writes its own
sentence from a named template.

Examples
--------
>>> issubclass(NoSolution, QCAFailure) and issubclass(QCAFailure, ReportError)
True
>>> str(UnknownCase("x", ["a", "b"]))
"unknown case id 'x'; known: a, b"
"""

from __future__ import annotations

from collections.abc import Sequence


class ReportError(Exception):
    """Base class of every error the report layer raises on purpose."""


class ParameterError(ReportError, ValueError):
    """A report parameter is missing, of the wrong type or out of range."""


class UnknownCase(ParameterError):
    """A case id that is not in the case base."""

    def __init__(self, case_id: str, known: Sequence[str]) -> None:
        self.case_id = case_id
        self.known = list(known)
        super().__init__(f"unknown case id {case_id!r}; known: {', '.join(self.known)}")


class UnknownKind(ParameterError):
    """A report kind that is not in the registry."""


class NotBuildable(ReportError):
    """The report cannot be built honestly (e.g. a corpus report without texts).

    The batch skips such a report and prints ``reason`` instead of producing an
    empty shell.
    """

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


class QCAFailure(ReportError):
    """A QCA step could not produce a result for the report."""


class NoSolution(QCAFailure):
    """No truth-table row passes the inclusion and PRI cuts: nothing to minimise."""


class NoVariation(QCAFailure):
    """The outcome (or every condition) takes one value across the usable cases."""


class TooFewCases(QCAFailure):
    """Fewer usable cases than a QCA needs (after excluding missing and crossover cases)."""
