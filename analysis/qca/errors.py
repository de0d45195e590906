"""The one exception type the QCA library raises for bad input or impossible requests."""

from __future__ import annotations


class QCAError(ValueError):
    """Raised for invalid data, unknown columns or analyses that cannot be run.

    The message is a single line meant for the end user; the command line prints
    it as is and exits with status 2.

    Examples
    --------
    >>> try:
    ...     raise QCAError("column 'X' not found in data.csv")
    ... except QCAError as exc:
    ...     print(exc)
    column 'X' not found in data.csv
    """
