"""Every default of the report layer, in one place.

Notebooks, the registry (and hence the default plan and parameter checks) and
the report builders read these names; nothing else hard-codes them.

Examples
--------
>>> INCL_CUT, PRI_CUT, MAX_LESSONS
(0.8, 0.5, 5)
>>> ALPHA_RELIABLE, ALPHA_TENTATIVE
(0.8, 0.667)
"""

from __future__ import annotations

LANG = "zh"
"""Reports are Chinese-first; ``en`` gives a full English version."""

LANGS = ("zh", "en")

INCL_CUT = 0.8
"""Sufficiency inclusion (consistency) cut for truth-table rows (Schneider & Wagemann)."""

PRI_CUT = 0.5
"""Rows whose PRI is below this are not set OUT = 1 even when consistent."""

NECESSITY_INCL = 0.9
"""Necessity: consistency threshold."""

NECESSITY_RON = 0.5
"""Necessity: relevance (RoN) threshold below which a necessity is trivial."""

MAX_JUDGEMENTS = 3
"""核心判断: at most this many sentences."""

MAX_LESSONS = 5
"""比较借鉴: at most this many lessons in each direction."""

MAX_RECOMMENDATIONS = 4
"""对策建议: at most this many recommendations in a briefing."""

YAOBAO_RECOMMENDATIONS = 3
"""要报: the top this-many recommendations."""

MAX_QUOTE_CHARS = 60
"""Quotes in the main text are cut to this many characters (the appendix keeps them whole)."""

MAX_FIELD_QUESTIONS = 30
"""调研提纲: at most this many questions per case."""

ALPHA_RELIABLE = 0.8
"""Krippendorff's α at or above this: reliable (Krippendorff, *Content Analysis*, 2004/2018)."""

ALPHA_TENTATIVE = 0.667
"""0.667 ≤ α < :data:`ALPHA_RELIABLE`: tentative conclusions only; below it, not reliable."""

MAX_KEYWORDS = 8
"""语料分析: keywords named per source in the text (the figures show up to 15)."""

MAX_TERMS = 12
"""语料分析: the most frequent codebook terms named in the text (the appendix lists all)."""

MAX_LISTED_CASES = 12
"""Case-by-case lists and tables stop here; beyond it reports summarise (counts, top entries)
and the full lists stay in ``reports/facts/NAME.json``."""

MAX_LISTED_PAIRS = 20
"""Similarity tables show the most similar pairs up to this many."""
