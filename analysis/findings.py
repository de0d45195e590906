"""Findings sections: templated Chinese (or English) sentences that carry the numbers.

Each function takes results the analysis modules computed and returns a list of
sentences, so every claim in a report's findings can be traced to a figure, a
table or a quote shown above it.  Templates are Jinja2 strings, one per language.

Examples
--------
>>> say("n_caveat", "zh", n=5)
'本分析只有 5 个案例：以下数字描述的是已编码的文本，不是对全国情况的统计推断。'
>>> say("n_caveat", "en", n=5)
'This analysis has only 5 cases: the figures describe the coded texts and are not statistical inferences about China.'
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cache
from typing import Any

import jinja2

from analysis.md_text import MarkdownText, as_markdown, markdown_code

TEMPLATES: dict[str, dict[str, str]] = {
    "n_caveat": {
        "zh": "本分析只有 {{ n }} 个案例：以下数字描述的是已编码的文本，不是对全国情况的统计推断。",
        "en": "This analysis has only {{ n }} cases: the figures describe the coded texts "
        "and are not statistical inferences about China.",
    },
    "profile_count": {
        "zh": "{{ case }}在 {{ total }} 个机制编码中有 {{ present }} 个得到原文证据支持"
        "（其中 {{ strong }} 个为“明确存在”），{{ not_reported }} 个来源未报告"
        "{% if not_covered %}（其中 {{ not_covered }} 个属节选未覆盖的内容）{% endif %}，"
        "{{ absent }} 个被来源明确报告为缺失{% if proposed %}，{{ proposed }} 个仅作为建议提出{% endif %}。"
        "未报告是缺失数据，不计为 0。",
        "en": "{{ case }} shows {{ present }} of {{ total }} mechanisms with textual evidence "
        "({{ strong }} clearly present); the source is silent on {{ not_reported }}"
        "{% if not_covered %} ({{ not_covered }} of them outside what the excerpt covers){% endif %} "
        "and reports {{ absent }} as missing{% if proposed %}; {{ proposed }} are only proposed{% endif %}. "
        "Silence is missing data, not a score of 0.",
    },
    "profile_dimension": {
        "zh": "三个维度中，{{ top }}维度平均隶属度最高（{{ top_value }}），{{ low }}维度最低（{{ low_value }}）。",
        "en": "Of the three dimensions, {{ top }} has the highest mean membership ({{ top_value }}) "
        "and {{ low }} the lowest ({{ low_value }}).",
    },
    "profile_family": {
        "zh": "机制族中最突出的是“{{ top }}”（平均隶属度 {{ top_value }}），最薄弱的是“{{ low }}”（{{ low_value }}）。",
        "en": "The strongest mechanism family is “{{ top }}” (mean membership {{ top_value }}); "
        "the weakest is “{{ low }}” ({{ low_value }}).",
    },
    "profile_core": {
        "zh": "核心机制（隶属度为 1）：{{ codes }}。",
        "en": "Core mechanisms (membership 1): {{ codes }}.",
    },
    "profile_network": {
        "zh": "行动者网络共有 {{ n_actors }} 类行动者、密度 {{ density }}；党组织占全部联系的 {{ party_share }}，"
        "不经过党组织或政府的联系占 {{ bypass }}。",
        "en": "The actor network has {{ n_actors }} actors and density {{ density }}; the party "
        "organization takes part in {{ party_share }} of all ties, and {{ bypass }} of ties pass "
        "through neither the party nor government.",
    },
    "profile_network_not_covered": {
        "zh": "行动者网络共有 {{ n_actors }} 类行动者、密度 {{ density }}；来源节选不含党建部分，"
        "党组织联系占比与不经党政的联系占比无从判断（不是 0%）。",
        "en": "The actor network has {{ n_actors }} actors and density {{ density }}; the source "
        "excerpt does not cover party building, so the party's share of ties and the ties "
        "bypassing party and government cannot be told (they are not 0%).",
    },
    "profile_network_no_party": {
        "zh": "行动者网络共有 {{ n_actors }} 类行动者、密度 {{ density }}；来源未把党组织编码为任何机制的参与者。",
        "en": "The actor network has {{ n_actors }} actors and density {{ density }}; the source does "
        "not code the party organization into any mechanism.",
    },
    "profile_outcomes": {
        "zh": "结果变量：{{ items }}。{{ claims }}",
        "en": "Outcomes: {{ items }}. {{ claims }}",
    },
    "claims_advocacy": {
        "zh": "这些结果全部出自实施方或党校作者的陈述，尚无独立评估。",
        "en": "All of these outcomes are asserted by the implementing side or party-school authors; "
        "none rests on an independent evaluation.",
    },
    "claims_mixed": {
        "zh": "其中 {{ independent }} 项有独立评估支持。",
        "en": "{{ independent }} of them rest on an independent evaluation.",
    },
    "profile_indicators": {
        "zh": "来源共给出 {{ n }} 个数量指标{% if example %}，例如{{ example }}{% endif %}。",
        "en": "The source gives {{ n }} figures about the model{% if example %}, e.g. {{ example }}{% endif %}.",
    },
    "pair_similarity": {
        "zh": "{{ a }}与{{ b }}的模糊 Jaccard 相似度为 {{ fuzzy }}（刀切法区间 {{ lo }}–{{ hi }}；"
        "出现/未出现意义上的 Jaccard 为 {{ crisp }}），"
        "在全部 {{ n_pairs }} 对案例中相似度排第 {{ rank }} 位"
        "{% if n_tied > 1 %}（与另外 {{ n_tied - 1 }} 对并列：区间重叠，名次分不出先后）{% endif %}；"
        "只计两者来源都报告的 {{ n_joint }} 个编码。",
        "en": "{{ a }} and {{ b }} have fuzzy Jaccard similarity {{ fuzzy }} (jackknife interval "
        "{{ lo }}–{{ hi }}; presence Jaccard {{ crisp }}), ranking {{ rank }} of {{ n_pairs }} case pairs"
        "{% if n_tied > 1 %} (tied with {{ n_tied - 1 }} other pairs: their intervals overlap, so "
        "the order among them is not established){% endif %}; only the {{ n_joint }} codes both "
        "sources report count.",
    },
    "pair_shared": {
        "zh": "两者共有 {{ n }} 个机制{% if codes %}，最强的共同机制是：{{ codes }}{% endif %}。",
        "en": "They share {{ n }} mechanisms{% if codes %}; the strongest shared ones are: {{ codes }}{% endif %}.",
    },
    "pair_distinct": {
        "zh": "{{ case }}独有（对方来源报告为缺失、仅为建议或未见）的机制有 {{ n }} 个{% if codes %}：{{ codes }}{% endif %}。"
        "{% if silent %}另有 {{ silent }} 个机制见于{{ case }}而对方来源未报告（缺失数据，不算差异）。{% endif %}",
        "en": "{{ n }} mechanisms are distinctive to {{ case }} (the other source reports them "
        "missing or only proposed){% if codes %}: {{ codes }}{% endif %}."
        "{% if silent %} {{ silent }} more are present in {{ case }} but the other source is silent "
        "on them (missing data, not a difference).{% endif %}",
    },
    "pair_learn": {
        "zh": "{{ learner }}可向{{ teacher }}借鉴：{{ codes }}（{{ teacher }}隶属度 ≥ 0.67，{{ learner }} ≤ 0.33）。",
        "en": "{{ learner }} could learn from {{ teacher }}: {{ codes }} (membership ≥ 0.67 in "
        "{{ teacher }}, ≤ 0.33 in {{ learner }}).",
    },
    "pair_learn_none": {
        "zh": "按编码差异，{{ learner }}没有需要向{{ teacher }}借鉴的明显机制（不存在对方 ≥ 0.67 而本方 ≤ 0.33 的编码）。",
        "en": "By the coded differences, {{ learner }} has no clear mechanism to learn from "
        "{{ teacher }} (no code is ≥ 0.67 there and ≤ 0.33 here).",
    },
    "pair_learn_caveat": {
        "zh": "“借鉴”只是编码差异的提示：“未报告”可能只是来源未写，推广前应回到原文与实地核实。",
        "en": "“Learning” only flags coded differences: “not reported” may mean the source is silent, "
        "so check the texts and the field before transferring a practice.",
    },
    "cluster": {
        "zh": "按模糊 Jaccard 距离做平均联结聚类，最相近的一对是{{ a }}与{{ b }}（距离 {{ d }}，"
        "基于两者都报告的 {{ n_joint }} 个编码{% if n_tied > 1 %}；另有 {{ n_tied - 1 }} 对的刀切法区间与之重叠，"
        "并列最相近{% endif %}）；{{ split }}",
        "en": "Average-linkage clustering on fuzzy Jaccard distance joins {{ a }} and {{ b }} first "
        "(distance {{ d }}, over the {{ n_joint }} codes both report{% if n_tied > 1 %}; "
        "{{ n_tied - 1 }} other pairs have overlapping jackknife intervals and are tied with it"
        "{% endif %}); {{ split }}",
    },
    "split_stable": {
        "zh": "分为两组时为：{{ groups }}（逐一去掉一个编码重新聚类，{{ share }} 的结果仍是这一划分）。",
        "en": "cut into two groups: {{ groups }} (the same split in {{ share }} of the "
        "leave-one-code-out reclusterings).",
    },
    "split_unstable": {
        "zh": "没有稳定的两组划分：全部编码下的两组（{{ groups }}）在逐一去掉一个编码重新聚类时只有 "
        "{{ share }} 的结果相同（要求至少 {{ need }}），不据此命名分组。",
        "en": "no stable split: the two-group cut on all codes ({{ groups }}) recurs in only "
        "{{ share }} of the leave-one-code-out reclusterings (at least {{ need }} needed), so "
        "no grouping is named.",
    },
    "cluster_fit": {
        "zh": "聚类树的同表型相关（cophenetic correlation）为 {{ coph }}，越接近 1 越忠实于原距离；"
        "MDS 图的 Kruskal 应力（stress-1）为 {{ stress }}（0.05 好、0.1 尚可、0.2 差），"
        "图上的远近只是距离的近似。",
        "en": "The tree's cophenetic correlation is {{ coph }} (closer to 1 means it keeps the "
        "distances more faithfully); the MDS map's Kruskal stress-1 is {{ stress }} (0.05 good, "
        "0.1 fair, 0.2 poor), so distances on the map only approximate the computed ones.",
    },
    "network_tie": {
        "zh": "{{ tie }}“不经党政”的联系按行动者角色计：党组织、党员、政府部门、网格员等党政一侧的行动者"
        "（编码手册中 sector 为 party 或 government）都算党政一侧。",
        "en": '{{ tie }} Ties "bypassing party and government" are counted by actor role: the party '
        "organization, party members, government departments, grid staff and other actors of the "
        "party or government sector in the codebook are all party/state-side.",
    },
    "network_not_covered": {
        "zh": "{{ cases }}的来源节选不含党建部分：其党组织指标与不经党政的联系占比标为“未覆盖”，不是 0%。",
        "en": "The source excerpts of {{ cases }} do not cover party building: their party "
        'measures and share of ties bypassing party and government are marked "not covered", '
        "not 0%.",
    },
    "qca_diversity": {
        "zh": "{{ k }} 个条件构成 {{ rows }} 种组态，观察到的只有 {{ observed }} 种，逻辑余项占 {{ remainder_share }}（有限多样性）。",
        "en": "{{ k }} conditions give {{ rows }} configurations, of which only {{ observed }} are "
        "observed; remainders make up {{ remainder_share }} (limited diversity).",
    },
    "qca_solution": {
        "zh": "{{ label }}解：{{ expr | code }}（一致性 {{ incl }}，覆盖度 {{ cov }}）。",
        "en": "{{ label }} solution: {{ expr | code }} (consistency {{ incl }}, coverage {{ cov }}).",
    },
    "qca_weak": {
        "zh": "{{ label }}解的一致性（{{ incl }}）低于阈值 {{ cut }}，作为充分条件的证据较弱。",
        "en": "The {{ label }} solution's consistency ({{ incl }}) is below the threshold {{ cut }}, "
        "so it is weak evidence of sufficiency.",
    },
    "qca_low_pri": {
        "zh": "注意：{{ n }} 个结果为 1 的组态 PRI 低于 0.5（{{ rows }}），它们同时也是“非结果”的子集，结论需谨慎。",
        "en": "Caution: {{ n }} configurations with OUT = 1 have PRI below 0.5 ({{ rows }}); they are also "
        "subsets of the negated outcome, so read them with care.",
    },
    "qca_all_positive": {
        "zh": "{{ label }}解无法求出：所有观察到的组态都属于结果集合，没有负面组态可作对照，条件被全部化简掉。"
        "这说明该结果在这些案例中普遍存在，而不是某个条件充分。",
        "en": "The {{ label }} solution cannot be found: every observed configuration is in the outcome "
        "set, so there is no negative configuration to contrast and every condition is minimised away. "
        "The outcome is common to these cases; no condition is shown to be sufficient.",
    },
    "qca_too_few": {
        "zh": "{{ label }}解：案例太少，无法做 QCA。",
        "en": "{{ label }} solution: too few cases for QCA.",
    },
    "qca_no_solution": {
        "zh": "{{ label }}解：没有组态达到一致性阈值 {{ cut }}，无解。",
        "en": "{{ label }} solution: no configuration reaches the consistency threshold {{ cut }}; "
        "there is no solution.",
    },
    "qca_multiple": {
        "zh": "{{ label }}解有 {{ n }} 个同样简约的模型（上句已全部列出），结论对模型选择敏感。",
        "en": "The {{ label }} solution has {{ n }} equally parsimonious models (all listed above); "
        "the conclusion depends on which is chosen.",
    },
    "qca_necessity": {
        "zh": "必要条件分析：{{ cond | code }} 通过必要性检验（必要一致性 {{ incl }} ≥ 0.9，相关性 RoN {{ ron }} ≥ 0.5，条件与结果均无偏态）。",
        "en": "Necessity: {{ cond | code }} passes the necessity guards (inclN {{ incl }} ≥ 0.9, "
        "RoN {{ ron }} ≥ 0.5, neither the condition nor the outcome skewed).",
    },
    "qca_necessity_exploratory": {
        "zh": "必要条件分析（探索性）：在这几个案例中 {{ cond | code }} 的必要一致性为 {{ incl }}、相关性 RoN 为 {{ ron }}，"
        "但案例太少，不构成必要条件结论。",
        "en": "Necessity (exploratory): in these few cases {{ cond | code }} has inclN {{ incl }} and "
        "RoN {{ ron }}, but there are too few cases for a necessity claim.",
    },
    "qca_necessity_none": {
        "zh": "必要条件分析：没有条件同时满足必要一致性 ≥ 0.9、相关性 RoN ≥ 0.5 且无偏态，不作必要条件结论。"
        "{{ trivial }}",
        "en": "Necessity: no condition has inclN ≥ 0.9 with RoN ≥ 0.5 and no skew, so no necessity "
        "is claimed.{{ trivial }}",
    },
    "qca_necessity_trivial": {
        "zh": "{{ conds }} 一致性虽高，但属于平凡必要（相关性低）或偏态集合，不能解读为必要条件。",
        "en": " {{ conds }} are consistent but trivial (low relevance) or skewed sets, which "
        "cannot be read as necessary.",
    },
    "qca_exploratory": {
        "zh": "本节 QCA 仅为探索性，不作结论：{{ n }} 个案例、{{ k }} 个条件低于 Marx & Dusa 式基准"
        "（随机数据得到无矛盾真值表的概率为 {{ p_free }}，应不高于 5%）{{ perm }}。",
        "en": "This QCA is exploratory only and draws no conclusion: {{ n }} cases and {{ k }} "
        "conditions are below the Marx & Dusa-style benchmark (random data give a "
        "contradiction-free truth table with probability {{ p_free }}; it should be at most 5%)"
        "{{ perm }}.",
    },
    "qca_permutation": {
        "zh": "；置换检验中，随机打乱结果后有 {{ p }} 的置换得到同样好或更好的解",
        "en": "; in a permutation test, {{ p }} of the permuted outcomes give a solution at least "
        "as good",
    },
    "profile_before_era": {
        "zh": "{{ case }}的来源写于 {{ year }} 年，早于以下 {{ n }} 种做法普遍可行的时代：{{ codes }}；"
        "来源对它们的沉默不能读作薄弱或缺失。",
        "en": "{{ case }}'s source was written in {{ year }}, before {{ n }} practices became "
        "possible or common: {{ codes }}; its silence on them is not weakness or absence.",
    },
    "qca_missing_condition": {
        "zh": "{{ cases }}的来源对某一条件所在机制族的全部编码均未报告，该条件为缺失值（不作 0），不纳入本次 QCA（N = {{ n }}）。",
        "en": "The sources of {{ cases }} report no code of a condition's family, so that condition "
        "is missing (not 0) and they are left out of this QCA (N = {{ n }}).",
    },
    "qca_missing": {
        "zh": "{{ cases }}的来源未报告该结果，不纳入本次 QCA（N = {{ n }}）。",
        "en": "The sources of {{ cases }} do not report this outcome, so they are left out of this "
        "QCA (N = {{ n }}).",
    },
    "sensitivity": {
        "zh": "编码敏感性：把任一编码上调或下调一档后，共有 {{ n }} 处编码会改变结论，应优先回到原文复核：{{ cells }}。",
        "en": "Coding sensitivity: {{ n }} codings change the conclusion when moved one step; re-check "
        "them against the evidence first: {{ cells }}.",
    },
    "sensitivity_none": {
        "zh": "编码敏感性：任一编码上调或下调一档，结论都不变。",
        "en": "Coding sensitivity: no single one-step change of a coding changes the conclusion.",
    },
    "reliability": {
        "zh": "第 {{ round }} 轮（编码手册 v{{ version }}）：{{ a }} 与 {{ b }} 在 {{ units }} 个单元上的 "
        "Krippendorff α（定序）= {{ alpha }}，Cohen κ（是否存在）= {{ kappa }}，完全一致率 {{ exact }}。",
        "en": "Round {{ round }} (codebook v{{ version }}): {{ a }} vs {{ b }} over {{ units }} units, "
        "Krippendorff's α (ordinal) = {{ alpha }}, Cohen's κ (presence) = {{ kappa }}, exact "
        "agreement {{ exact }}.",
    },
    "reliability_target": {
        "zh": "{% if ok %}达到{% else %}未达到{% endif %} Krippendorff 建议的 α ≥ 0.80 标准；"
        "α < 0.667 的编码有 {{ n_low }} 个{% if low %}：{{ low }}{% endif %}。",
        "en": "This {% if ok %}meets{% else %}does not meet{% endif %} Krippendorff's α ≥ 0.80 "
        "standard; {{ n_low }} codes have α < 0.667{% if low %}: {{ low }}{% endif %}.",
    },
}


def _markdown_value(value: Any) -> Any:
    return as_markdown(value) if isinstance(value, str) else value


@cache
def _env() -> jinja2.Environment:
    # The sentences are Markdown and the values are case-base text (names, labels), so
    # every value is Markdown-escaped on the way in (``finalize``), unless it is already
    # a sentence (MarkdownText); ``| code`` sets a value as a code span.  StrictUndefined
    # turns a missing value into an error, not a blank.
    env = jinja2.Environment(
        undefined=jinja2.StrictUndefined, autoescape=False, finalize=_markdown_value
    )
    env.filters["code"] = markdown_code
    return env


def say(key: str, lang: str, **values: Any) -> MarkdownText:
    r"""Render one templated sentence, as Markdown in which every value shows literally.

    Parameters
    ----------
    key : str
        Template name in :data:`TEMPLATES`.
    lang : {"zh", "en"}
    **values
        The numbers and labels the sentence carries.

    Examples
    --------
    >>> say("profile_core", "en", codes="a, b")
    'Core mechanisms (membership 1): a, b.'
    >>> say("profile_core", "en", codes="[x](javascript:alert(1))")
    'Core mechanisms (membership 1): \\[x\\]\\(javascript\\:alert\\(1\\)\\).'
    """
    lang = "zh" if lang == "zh" else "en"
    return MarkdownText(_env().from_string(TEMPLATES[key][lang]).render(**values))


def fmt(x: float | None, digits: int = 2) -> str:
    """Format a number for a sentence (``n/a`` for missing).

    Examples
    --------
    >>> fmt(0.6666), fmt(None), fmt(float("nan"))
    ('0.67', 'n/a', 'n/a')
    """
    if x is None or x != x:
        return "n/a"
    return f"{x:.{digits}f}"


def pct(x: float | None) -> str:
    """Format a share as a percentage.

    Examples
    --------
    >>> pct(0.25)
    '25%'
    """
    return "n/a" if x is None or x != x else f"{100 * x:.0f}%"


def joined(items: Sequence[str], lang: str, limit: int = 6) -> str:
    """Join labels with the language's list separator, capping the length.

    Examples
    --------
    >>> joined(["甲", "乙"], "zh"), joined(["a", "b", "c"], "en", limit=2)
    ('甲、乙', 'a, b and 1 more')
    """
    items = list(items)
    sep = "、" if lang == "zh" else ", "
    head = sep.join(items[:limit])
    rest = len(items) - limit
    if rest > 0:
        head += f"等 {len(items)} 项" if lang == "zh" else f" and {rest} more"
    return head


def extremes(values: Mapping[str, float]) -> tuple[str, float, str, float]:
    """Highest and lowest entries of a mapping (ties broken by key order).

    Examples
    --------
    >>> extremes({"a": 0.2, "b": 0.9, "c": 0.1})
    ('b', 0.9, 'c', 0.1)
    """
    items = list(values.items())
    top = max(items, key=lambda kv: kv[1])
    low = min(items, key=lambda kv: kv[1])
    return top[0], top[1], low[0], low[1]
