"""Crisp- and fuzzy-set Qualitative Comparative Analysis, equal to R's QCA 3.25.

The public functions mirror the R package (A. Dusa):

- :func:`calibrate` -- raw values to set membership (``calibrate()``);
- :func:`truth_table` -- truth table with cut-offs (``truthTable()``);
- :func:`minimize` -- conservative, parsimonious and intermediate solutions with
  every minimal model and its fit (``minimize()``);
- :func:`consistency`, :func:`coverage`, :func:`necessity` -- parameters of fit
  (``pof()``).

Examples
--------
>>> import pandas as pd
>>> from analysis.qca import truth_table, minimize
>>> df = pd.DataFrame({"A": [1, 1, 0, 0], "B": [1, 0, 1, 0], "Y": [1, 0, 0, 0]})
>>> minimize(truth_table(df, "Y", "A, B")).models[0].expression
'A*B'
"""

from analysis.qca.calibrate import calibrate
from analysis.qca.data import SetData, prepare
from analysis.qca.errors import QCAError
from analysis.qca.fit import (
    NecessityFit,
    SolutionFit,
    TermFit,
    consistency,
    coverage,
    necessity,
    pri,
    relevance,
)
from analysis.qca.minimize import (
    SOLUTION_TYPES,
    IntermediateBranch,
    Model,
    PIChart,
    Solution,
    minimize,
    solve_all,
)
from analysis.qca.truth_table import TruthTable, TruthTableRow, truth_table

__all__ = [
    "SOLUTION_TYPES",
    "IntermediateBranch",
    "Model",
    "NecessityFit",
    "PIChart",
    "QCAError",
    "SetData",
    "Solution",
    "SolutionFit",
    "TermFit",
    "TruthTable",
    "TruthTableRow",
    "calibrate",
    "consistency",
    "coverage",
    "minimize",
    "necessity",
    "prepare",
    "pri",
    "relevance",
    "solve_all",
    "truth_table",
]
