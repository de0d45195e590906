"""比较借鉴: what two governance models can learn from each other, as a 决策咨询 briefing.

Facts first (:func:`facts`): both cases' facts, the lessons in both directions from
:func:`analysis.transfer.pair_lessons` (at most :data:`~analysis.reports.defaults.MAX_LESSONS`
ranked lessons of practised codes each way, the 先核实 verifications for codes the
learner's source does not report, the exclusions with reasons), the pair's similarity
(fuzzy Jaccard on jointly reported codes, jackknife interval, rank among all pairs with
ties), both cases' place in the typology and the context compared field by field.  Then
text (:func:`write`): 核心判断 → 一、基本情况 → 二、主要做法 → 三、成效 → 四、存在问题 →
五、对策建议（比较借鉴）→ 附：方法与证据.

Silence is never a weakness: a code one source does not report is a question to verify
first, never a lesson or a gap; nothing is recommended from a proposal; a lesson whose
practice postdates the learner's source says so.

Examples
--------
>>> r = build("dongguan", "shaoxing")                      # doctest: +SKIP
>>> list(r.sections)                                       # doctest: +SKIP
['background', 'practices', 'effects', 'problems', 'recommendations']
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from analysis import configuration, similarity, transfer
from analysis.casebase import CaseBase
from analysis.formatting import place_name
from analysis.reports import defaults
from analysis.reports.case_brief import TypePlace, name_of
from analysis.reports.casefacts import (
    CaseFacts,
    Quote,
    as_evidence,
    case_facts,
    comparison,
    quotes_of,
)
from analysis.reports.common import check_case, check_lang, cite, open_casebase
from analysis.reports.errors import ParameterError
from analysis.reports.labels import (
    level_label,
    level_phrase,
    status_label,
    type_label,
    vocab_label,
)
from analysis.reports.model import (
    GENRE_HEADINGS,
    Evidence,
    Point,
    Recommendation,
    Report,
    Section,
)
from analysis.reports.text import Templates, joined, t

STRONG = 0.67
"""A practice with concrete arrangements (membership 0.67 or 1)."""

MAX_VERIFICATIONS = 5
"""存在问题: at most this many 先核实 items per direction (the rest are counted and named)."""

MAX_LOCAL_PROBLEMS = 5
"""存在问题: at most this many of a source's own local problems per case."""

MAX_SHARED = 6
"""主要做法: at most this many practices both cases carry out concretely."""

T = Templates(
    {
        "title": {
            "zh": "{{ a }}与{{ b }}：可以互相借鉴什么",
            "en": "{{ a }} and {{ b }}: what each can learn from the other",
        },
        "subtitle": {
            "zh": "比较借鉴 · 依据 {{ sources }} · 共比较 {{ n }} 个案例",
            "en": "Pairwise lessons · based on {{ sources }} · {{ n }} cases compared",
        },
        "summary": {
            "zh": "{{ a }}可借鉴{{ b }} {{ n_ab }} 项、{{ b }}可借鉴{{ a }} {{ n_ba }} 项；"
            "先核实 {{ v_ab }} + {{ v_ba }} 项；{{ similarity }}",
            "en": "{{ a }} can learn {{ n_ab }} practices from {{ b }}, {{ b }} {{ n_ba }} from "
            "{{ a }}; {{ v_ab }} + {{ v_ba }} to verify first; {{ similarity }}",
        },
        "summary_similarity": {
            "zh": "{% if sim is none %}无共同报告的机制{% else %}相似度 {{ sim }}（{{ rank }}）{% endif %}",
            "en": "{% if sim is none %}no jointly reported mechanism{% else %}similarity {{ sim }} "
            "({{ rank }}){% endif %}",
        },
        "rank": {
            "zh": "{{ n_pairs }} 对中第 {{ rank }} 名{% if n_tied > 1 %}，与另外 {{ n_tied - 1 }} 对并列{% endif %}",
            "en": "rank {{ rank }} of {{ n_pairs }} pairs{% if n_tied > 1 %}, tied with "
            "{{ n_tied - 1 }} other(s){% endif %}",
        },
        "judge_similarity": {
            "zh": "{% if sim is none %}{{ a }}与{{ b }}没有两地都有报告的机制，相似度无从判断。"
            "{% else %}{{ a }}与{{ b }}在两地都有报告的 {{ n_joint }} 项机制上的相似度为 {{ sim }}"
            "（95% 区间 {{ lo }}–{{ hi }}），在 {{ n_pairs }} 个案例对中排第 {{ rank }} 名"
            "{% if n_tied > 1 %}，与另外 {{ n_tied - 1 }} 对区间重叠、名次并列{% endif %}"
            "{% if place == 'wide' %}；多数案例对的区间相互重叠，这个名次区分不了它们"
            "{% elif place == 'top' %}，属最相似的一组{% elif place == 'bottom' %}，属最不相似的一组"
            "{% elif place == 'all' %}，与其他案例对的差别都在区间之内，无法区分{% endif %}。{% endif %}"
            "{{ types }}",
            "en": "{% if sim is none %}{{ a }} and {{ b }} have no mechanism reported for both, so "
            "their similarity cannot be judged. {% else %}On the {{ n_joint }} mechanisms reported "
            "for both, {{ a }} and {{ b }} have a similarity of {{ sim }} (95% interval {{ lo }}–"
            "{{ hi }}), rank {{ rank }} of {{ n_pairs }} pairs{% if n_tied > 1 %}, tied with "
            "{{ n_tied - 1 }} other pair(s) whose intervals overlap{% endif %}"
            "{% if place == 'wide' %}; most pairs' intervals overlap, so the rank does not "
            "separate them{% elif place == 'top' %}: among the most similar{% elif place == 'bottom' %}: among "
            "the least similar{% elif place == 'all' %}: no different from the other pairs within "
            "the intervals{% endif %}. {% endif %}{{ types }}",
        },
        "types_same": {
            "zh": "两者同属“{{ type }}”类型。",
            "en": "Both belong to the “{{ type }}” type.",
        },
        "types_differ": {
            "zh": "{{ a }}属“{{ type_a }}”类型，{{ b }}属“{{ type_b }}”类型。",
            "en": "{{ a }} belongs to the “{{ type_a }}” type, {{ b }} to “{{ type_b }}”.",
        },
        "types_one": {
            "zh": "{{ x }}属“{{ type }}”类型，{{ y }}不属于任何理想类型。",
            "en": "{{ x }} belongs to the “{{ type }}” type; {{ y }} belongs to no ideal type.",
        },
        "types_none": {
            "zh": "两者都不属于任何理想类型。",
            "en": "Neither belongs to an ideal type.",
        },
        "judge_lessons": {
            "zh": "{{ first }}；{{ second }}。",
            "en": "{{ first }}. {{ second }}.",
        },
        "clause_lesson": {
            "zh": "{{ learner }}最值得借鉴{{ model }}的是“{{ label }}”（{{ model }}{{ model_desc }}，"
            "{{ learner }}{{ gap }}{% if era == 'learner_predates' %}；但{{ learner }}的来源早于该做法的年代，"
            "只能作为现状问题提出{% elif era == 'learner_undated' %}；{{ learner }}的来源未注年份，时代是否相容待核实{% endif %}）",
            "en": "For {{ learner }}, the first lesson from {{ model }} is “{{ label }}” ({{ model }} "
            "{{ model_desc }}, {{ learner }} {{ gap }}{% if era == 'learner_predates' %}; but "
            "{{ learner }}'s source predates the practice, so it is only a question about today"
            "{% elif era == 'learner_undated' %}; {{ learner }}'s source is undated, so whether the "
            "eras fit is to be verified{% endif %})",
        },
        "clause_verify": {
            "zh": "{{ learner }}的来源未报告{{ model }}已有实践的{{ labels }}，比较得不出可直接借鉴的事项，应先核实{{ learner }}的现状",
            "en": "{{ learner }}'s source does not report {{ labels }}, which {{ model }} carries "
            "out; the comparison yields no lesson for {{ learner }} until its present situation "
            "is verified",
        },
        "clause_none": {
            "zh": "{{ model }}有实践的做法，{{ learner }}已有或差距不明显，比较得不出{{ learner }}可借鉴的事项",
            "en": "{{ learner }} already has, or is not clearly behind on, what {{ model }} carries "
            "out: the comparison yields no lesson for {{ learner }}",
        },
        "judge_context": {
            "zh": "借鉴时最需注意的条件差异是{{ field }}：{{ a }}{{ a_value }}，{{ b }}{{ b_value }}"
            "{% if admin %}；高层级的做法移到低层级需要上级的统筹、授权和财力支持，低层级的做法放大到更大范围未经检验{% endif %}"
            "{% if unknown %}；{{ unknown }}有一方来源未报告，不能假定两地相同{% endif %}。",
            "en": "The condition that matters most for transfer is {{ field|lower }}: {{ a }} {{ a_value }}, "
            "{{ b }} {{ b_value }}{% if admin %}; a higher level's practice needs the higher "
            "levels' coordination, authority and funds lower down, and a lower level's practice is "
            "untested at a larger scale{% endif %}{% if unknown %}; {{ unknown }} is not reported "
            "by one side and cannot be assumed the same{% endif %}.",
        },
        "judge_context_same": {
            "zh": "两地可比的背景条件没有类别上的差异{% if unknown %}；但{{ unknown }}有一方来源未报告，不能假定两地相同{% endif %}。",
            "en": "The comparable context does not differ by class{% if unknown %}; but "
            "{{ unknown }} is not reported by one side and cannot be assumed the same{% endif %}.",
        },
        "background_place": {
            "zh": "{{ name }}（{{ place }}，{{ level }}）{% if start %}始于 {{ start }} 年{% else %}起始年份来源未给出{% endif %}。{{ summary }}",
            "en": "{{ name }} ({{ place }}; {{ level }}) "
            "{% if start %}began in {{ start }}{% else %}has no start year in its source{% endif %}. "
            "{{ summary }}",
        },
        "background_excerpt": {
            "zh": "{{ case }}的来源为节选{% if not_covered %}，未覆盖{{ not_covered }}{% endif %}；节选之外的内容一律作“未报告”处理。",
            "en": "{{ case }}'s source is an excerpt{% if not_covered %} that does not cover "
            "{{ not_covered }}{% endif %}; what it leaves out is treated as not reported.",
        },
        "context_point": {
            "zh": "{{ field }}{% if kind == 'differs' %}不同{% elif kind == 'not_reported' %}无法比较（一方来源未报告）"
            "{% else %}无法直接比较（来源的说法不能归类）{% endif %}：{{ a }}——{{ a_value }}；{{ b }}——{{ b_value }}",
            "en": "{{ field }} {% if kind == 'differs' %}differs{% elif kind == 'not_reported' %}"
            "cannot be compared (one source does not report it){% else %}cannot be compared "
            "directly (a source's wording cannot be classed){% endif %}: {{ a }} — {{ a_value }}; "
            "{{ b }} — {{ b_value }}",
        },
        "context_intro": {
            "zh": "借鉴前要比的条件（只列有差异或无法比较的；一方未报告的从不视为相同）：",
            "en": "Conditions to compare before any transfer (only those that differ or cannot be "
            "compared; what a source does not report is never taken as equal):",
        },
        "practices_intro": {
            "zh": "下列做法只取一方来源报告为实践、另一方来源报告缺失、仅作建议或做法较薄的机制，"
            "每个方向至多 {{ max }} 项，按机制族归类；一方来源未报告的不列入（见“存在问题”的先核实事项）。"
            "{% if n_shared %}两地都有具体安排的做法共 {{ n_shared }} 项{% if n_shared > shown %}，列前 {{ shown }} 项{% endif %}。{% endif %}",
            "en": "Only mechanisms one source reports as practice while the other reports them "
            "missing, only proposed or thin; at most {{ max }} each way, grouped by mechanism "
            "family. Mechanisms one source does not report are not listed here (see the "
            "verifications under Problems).{% if n_shared %} Both carry out {{ n_shared }} "
            "mechanisms concretely{% if n_shared > shown %}; the first {{ shown }} are listed{% endif %}.{% endif %}",
        },
        "practices_none": {
            "zh": "两地来源都报告为实践、又有一方明显强于另一方的做法没有。",
            "en": "No mechanism is practised by one side and clearly weaker on the other.",
        },
        "practice_group": {
            "zh": "{{ family }}",
            "en": "{{ family }}",
        },
        "lesson_point": {
            "zh": "{{ model }}：{{ label }}（{{ status }}{% if practices %}；做法：{{ practices }}{% endif %}）"
            "{% if frameworks %}〔{{ frameworks }}〕{% endif %}；{{ learner }}{{ gap }}",
            "en": "{{ model }}: {{ label }} ({{ status }}{% if practices %}; practices: "
            "{{ practices }}{% endif %}); {{ learner }} {{ gap }}",
        },
        "shared_point": {
            "zh": "{{ label }}：{{ a }}{{ a_status }}，{{ b }}{{ b_status }}",
            "en": "{{ label }}: {{ a }} {{ a_status }}, {{ b }} {{ b_status }}",
        },
        "effects_intro": {
            "zh": "逐项列出两地来源报告的成效及其声称者；成效均来自来源本身，未经独立评估；“未报告”不等于没有成效。",
            "en": "Outcome by outcome, what each source reports and who asserts it; every result "
            "comes from the sources themselves, none from an independent evaluation; not "
            "reported is not the same as no result.",
        },
        "effect_level": {
            "zh": "{% if score >= 1 %}明显改善{% elif score >= 0.67 %}有所改善{% elif score > 0 %}改善有限{% else %}成效不足{% endif %}",
            "en": "{% if score >= 1 %}clear improvement{% elif score >= 0.67 %}some improvement"
            "{% elif score > 0 %}limited improvement{% else %}a shortfall{% endif %}",
        },
        "effect_both": {
            "zh": "{{ outcome }}：{{ a }}来源称{{ a_level }}（{{ a_who }}）；{{ b }}来源称{{ b_level }}（{{ b_who }}）",
            "en": "{{ outcome }}: {{ a }}'s source reports {{ a_level }} ({{ a_who }}); {{ b }}'s "
            "reports {{ b_level }} ({{ b_who }})",
        },
        "effect_one": {
            "zh": "{{ outcome }}：仅{{ x }}来源报告，称{{ level }}（{{ who }}）；{{ y }}未报告",
            "en": "{{ outcome }}: reported only by {{ x }}'s source, as {{ level }} ({{ who }}); "
            "not reported for {{ y }}",
        },
        "effect_none": {
            "zh": "两地来源都未报告：{{ outcomes }}（无从比较，不等于没有成效）。",
            "en": "Reported by neither source: {{ outcomes }} (cannot be compared; not the same "
            "as no result).",
        },
        "problems_intro": {
            "zh": "只列来源自己报告的问题、来源称缺失或仅作建议的短板，以及需先核实的事项；"
            "一方来源未报告某项做法是待核实的缺失数据，不是短板。",
            "en": "Only the problems the sources report themselves, the gaps a source states "
            "(missing or only proposed), and what must be verified first; a practice a source "
            "does not report is missing data to verify, not a weakness.",
        },
        "problem_point": {"zh": "{{ text }}", "en": "{{ text }} (in the source's Chinese)"},
        "problems_more": {
            "zh": "另有 {{ n }} 条本地问题，见{{ case }}的案例参阅。",
            "en": "{{ n }} more local problems are in {{ case }}'s case briefing.",
        },
        "problems_general": {
            "zh": "来源另有 {{ n }} 条一般性或全国性诊断，不是本地问题，未列入。",
            "en": "The sources also give {{ n }} general or national diagnoses; they are not "
            "about these localities and are not listed.",
        },
        "gap_point": {
            "zh": "{{ label }}：{{ learner }}的来源{% if status == 'absent' %}称本地缺失{% else %}仅作为建议提出{% endif %}，而{{ model }}已有实践",
            "en": "{{ label }}: {{ learner }}'s source {% if status == 'absent' %}reports it "
            "missing{% else %}only proposes it{% endif %}, while {{ model }} carries it out",
        },
        "verify_point": {
            "zh": "{{ label }}：{% if derived == 'not_covered' %}{{ learner }}的来源为节选，未覆盖这部分内容"
            "{% elif derived == 'before_era' %}{{ learner }}的来源写于 {{ year }} 年，早于该做法普遍出现的年代（约 {{ era_from }} 年起），只能核实现状"
            "{% else %}{{ learner }}的来源未报告，不能据此认为没有{% endif %}；{{ model }}{{ model_desc }}",
            "en": "{{ label }}: {% if derived == 'not_covered' %}{{ learner }}'s source is an "
            "excerpt that does not cover it{% elif derived == 'before_era' %}{{ learner }}'s source "
            "was written in {{ year }}, before the practice became common (from about "
            "{{ era_from }}): only its present situation can be asked about{% else %}{{ learner }}'s "
            "source does not report it, which does not mean it lacks it{% endif %}; {{ model }} "
            "{{ model_desc }}",
        },
        "verify_more": {
            "zh": "另有 {{ n }} 项待核实：{{ labels }}。",
            "en": "{{ n }} more to verify: {{ labels }}.",
        },
        "group_problems": {
            "zh": "{{ case }}来源报告的本地问题",
            "en": "Local problems {{ case }}'s source reports",
        },
        "group_gaps": {
            "zh": "{{ learner }}的短板（来源自述，{{ model }}已有实践）",
            "en": "{{ learner }}'s gaps (stated by its source; {{ model }} carries them out)",
        },
        "group_verify": {
            "zh": "{{ learner }}先核实事项（共 {{ n }} 项{% if n > shown %}，列前 {{ shown }} 项{% endif %}）",
            "en": "To verify first for {{ learner }} ({{ n }} in all{% if n > shown %}, the first "
            "{{ shown }} listed{% endif %})",
        },
        "model_desc": {
            "zh": "{% if score >= 1 %}已形成制度化的核心做法{% elif score >= 0.67 %}有明确做法{% else %}有实践但较薄{% endif %}",
            "en": "{% if score >= 1 %}has an institutionalised, central practice{% elif score >= 0.67 %}"
            "has a definite practice{% else %}has a thin practice{% endif %}",
        },
        "learner_gap": {
            "zh": "{% if status == 'absent' %}的来源称本地缺失{% elif status == 'proposed' %}只作为建议提出{% else %}仅有简单提及{% endif %}",
            "en": "{% if status == 'absent' %}reports it missing{% elif status == 'proposed' %}"
            "only proposes it{% else %}mentions it only thinly{% endif %}",
        },
        "recommendations_intro": {
            "zh": "以下建议只取一方来源报告为实践、另一方来源报告缺失、仅作建议或做法较薄的机制，"
            "按时代相容、对方证据强度与本方差距排序；仅为建议的做法不列入。"
            "{% if more %}其余 {{ more }} 项借鉴见“主要做法”。{% endif %}",
            "en": "Only mechanisms one source reports as practice while the other reports them "
            "missing, only proposed or thin, ranked by era compatibility, the strength of the "
            "model's evidence and the learner's gap; proposals are never recommended."
            "{% if more %} The other {{ more }} lessons are under Main practices.{% endif %}",
        },
        "no_lesson": {
            "zh": "{{ learner }}没有可直接借鉴{{ model }}的做法：{% if n_verify %}{{ model }}有实践的 {{ n_verify }} 项做法，"
            "{{ learner }}的来源未报告，应先核实（见“存在问题”）{% else %}{{ model }}有实践的做法，{{ learner }}已有或差距不明显{% endif %}。",
            "en": "{{ learner }} has no lesson to take directly from {{ model }}: "
            "{% if n_verify %}{{ learner }}'s source does not report {{ n_verify }} practices "
            "{{ model }} carries out, to be verified first (see Problems){% else %}{{ learner }} "
            "already has, or is not clearly behind on, what {{ model }} carries out{% endif %}.",
        },
        "rec_lesson": {
            "zh": "{{ learner }}可借鉴{{ model }}的“{{ label }}”{% if practice %}（{{ practice }}）{% endif %}"
            "{% if era == 'learner_predates' %}——时代不相容：{{ learner }}的来源早于该做法的年代，只能作为现状问题提出"
            "{% elif era == 'learner_undated' %}——{{ learner }}的来源未注年份，时代是否相容待核实{% endif %}",
            "en": "{{ learner }} can adopt {{ model }}'s “{{ label }}”{% if practice %} "
            "({{ practice }}){% endif %}{% if era == 'learner_predates' %} — era-incompatible: "
            "{{ learner }}'s source predates the practice, so it is only a question about today"
            "{% elif era == 'learner_undated' %} — {{ learner }}'s source is undated, so whether "
            "the eras fit is to be verified{% endif %}",
        },
        "rec_conditions": {
            "zh": "{% if era_note %}{{ era_note }}{% endif %}{{ model }}实行这项做法的条件——{{ items }}。",
            "en": "{% if era_note %}{{ era_note }} {% endif %}{{ model }} carries it out under these "
            "conditions: {{ items }}.",
        },
        "rec_conditions_same": {
            "zh": "{{ model }}实行这项做法的条件同第 {{ n }} 条。",
            "en": "{{ model }} carries it out under the conditions given in item {{ n }}.",
        },
        "rec_risks": {
            "zh": "{{ items }}。",
            "en": "{{ items }}.",
        },
        "rec_risks_none": {
            "zh": "两地可比的背景条件相同，来源也未报告与此相关的问题。",
            "en": "The comparable context is the same and the sources report no related problem.",
        },
        "rec_scope": {
            "zh": "{{ learner }}（{{ level }}）{% if era != 'compatible' %}，先核实现状{% endif %}",
            "en": "{{ learner }} ({{ level }}){% if era != 'compatible' %}, after checking the "
            "present situation{% endif %}",
        },
        "rec_verify": {
            "zh": "{{ learner }}先核实是否已有{{ model }}的“{{ label }}”{% if n > 1 %}等 {{ n }} 项做法{% endif %}，再决定是否借鉴",
            "en": "{{ learner }} should first verify whether it has {{ model }}'s “{{ label }}”"
            "{% if n > 1 %} and {{ n - 1 }} more practice(s){% endif %}, then decide on transfer",
        },
        "rec_verify_conditions": {
            "zh": "{{ learner }}的来源未报告{{ labels }}，不能据此认为{{ learner }}没有；{{ model }}实行的条件——{{ items }}。",
            "en": "{{ learner }}'s source does not report {{ labels }}, which does not mean it "
            "lacks them; {{ model }} carries them out under these conditions: {{ items }}.",
        },
        "rec_verify_risks": {
            "zh": "未经核实就照搬，可能重复已有做法或与本地安排冲突{% if diffs %}；两地{{ diffs }}不同或无法比较{% endif %}。",
            "en": "Copying without checking may duplicate what exists or clash with local "
            "arrangements{% if diffs %}; the two differ, or cannot be compared, on {{ diffs }}{% endif %}.",
        },
        "rec_verify_scope": {
            "zh": "{{ learner }}（{{ level }}）的实地调研",
            "en": "field research in {{ learner }} ({{ level }})",
        },
        "basis": {
            "zh": "依据：{{ sources }}（{{ relation }}）；共比较 {{ n }} 个案例。详见《{{ title }}》，含适用条件、风险与原文证据。",
            "en": "Basis: {{ sources }} ({{ relation }}); {{ n }} cases compared. Details, with "
            "conditions, risks and the quoted evidence, in “{{ title }}”.",
        },
        "n_caveat": {
            "zh": "本简报依据 {{ n }} 个案例的编码文本；所有数字描述这些文本，不是对全国情况的统计推断。",
            "en": "This briefing rests on the coded texts of {{ n }} cases; every figure describes "
            "those texts and is not a statistical inference about China.",
        },
        "method_lessons": {
            "zh": "借鉴事项的规则：只借鉴实践（对方来源报告为明确存在或有所涉及，并有原文证据），从不借鉴建议；"
            "本方来源须报告缺失、仅作建议或做法较薄；本方来源未报告的列为先核实事项；每个方向至多 {{ max }} 项，"
            "按时代相容、对方证据强度、本方差距、对方报告的关联成效排序，时代不相容的明确标出并排在最后。",
            "en": "Rules for lessons: only practice is transferred (the model's source reports it "
            "present or weak, with a quote), never a proposal; the learner's source must report it "
            "missing, only proposed or thin; what the learner's source does not report is a "
            "question to verify first; at most {{ max }} each way, ranked by era compatibility, "
            "the model's evidence, the learner's gap and linked outcomes the model reports, "
            "era-incompatible lessons marked and ranked last.",
        },
        "method_similarity": {
            "zh": "相似度为模糊 Jaccard 系数，只计两地都有报告的编码（未报告是缺失数据，从不计为 0）；"
            "95% 区间由刀切法（每次去掉一项共同报告的编码）求得；区间与更相似的一对重叠的案例对名次并列。",
            "en": "Similarity is the fuzzy Jaccard coefficient over codes reported for both cases "
            "(not reported is missing data, never 0); the 95% interval is a jackknife over those "
            "codes; pairs whose intervals overlap a more similar pair's share its rank.",
        },
        "neighbour": {
            "zh": "{{ x }}的 {{ n }} 个比较对象中，{{ y }}排第 {{ rank }} 名{% if n_tied > 1 %}（与另外 {{ n_tied - 1 }} 个并列）{% endif %}。",
            "en": "Among {{ x }}'s {{ n }} comparison cases, {{ y }} ranks {{ rank }}"
            "{% if n_tied > 1 %} (tied with {{ n_tied - 1 }} other(s)){% endif %}.",
        },
        "neighbour_none": {
            "zh": "{{ x }}与{{ y }}没有共同报告的编码，不参与{{ x }}的近邻排序。",
            "en": "{{ x }} and {{ y }} share no reported code; {{ y }} is not ranked among "
            "{{ x }}'s neighbours.",
        },
    }
)


# --------------------------------------------------------------------------- facts


@dataclass(frozen=True)
class PairSimilarity:
    """The pair's similarity among all pairs of the case base.

    ``similarity``, ``lower`` and ``upper`` are None when the two share no reported
    code; ``rank`` is the competition rank of the pair's tie group (pairs whose
    jackknife intervals overlap share it), ``n_tied`` the size of that group, and
    ``last_rank`` the rank of the least similar group.  ``rank_in_a`` is the rank of
    ``b`` among ``a``'s neighbours (and ``rank_in_b`` the reverse), with their tie sizes.
    """

    similarity: float | None
    lower: float | None
    upper: float | None
    n_joint: int
    n_pairs: int
    rank: int | None
    n_tied: int
    last_rank: int | None
    rank_in_a: int | None
    tied_in_a: int
    rank_in_b: int | None
    tied_in_b: int


@dataclass(frozen=True)
class ContextRow:
    """One context field of the pair: both texts, their classes and how they compare.

    ``kind`` is ``same`` (same class), ``differs``, ``not_reported`` (a side's source is
    silent; never taken as equal) or ``not_comparable`` (a text cannot be classed).
    """

    field: str
    a_value: str | None
    b_value: str | None
    a_class: str | None
    b_class: str | None
    kind: str
    a_evidence: tuple[Quote, ...]
    b_evidence: tuple[Quote, ...]


@dataclass(frozen=True)
class PairBriefFacts:
    """Everything the 比较借鉴 says, before any text."""

    a: CaseFacts
    b: CaseFacts
    n_cases: int
    codebook_version: int
    lessons: transfer.PairLessons
    similarity: PairSimilarity
    typology: tuple[TypePlace, TypePlace]
    context: tuple[ContextRow, ...]
    shared: tuple[str, ...]


def _nan_none(x: Any) -> float | None:
    return None if x is None or x != x else float(x)


_RANKED: dict[int, tuple[Any, dict[str, Any]]] = {}


def _ranked_pairs(cb: CaseBase) -> tuple[pd.DataFrame, pd.DataFrame]:
    """All pairs ranked with ties, and each case's ranked neighbours: once per loaded case
    base (every pair report needs its pair's rank among all pairs)."""
    from analysis.reports.casefacts import _per_casebase

    slot = _per_casebase(_RANKED, cb)
    if not slot:
        m = configuration.membership_matrix(cb.membership().loc[cb.case_ids], cb.codebook_frame())
        iv = similarity.similarity_intervals(m, "fuzzy_jaccard")
        slot["ranked"] = similarity.rank_pairs(iv)
        slot["neighbours"] = similarity.ranked_neighbours(iv)
    return slot["ranked"], slot["neighbours"]


def pair_similarity(cb: CaseBase, a: str, b: str) -> PairSimilarity:
    """Similarity of ``a`` and ``b`` with its interval and rank (with ties) among all pairs.

    Examples
    --------
    >>> s = pair_similarity(cb, "dongguan", "shaoxing")        # doctest: +SKIP
    >>> s.lower <= s.similarity <= s.upper                     # doctest: +SKIP
    True
    """
    ranked, nb = _ranked_pairs(cb)
    row = ranked[
        ((ranked["a"] == a) & (ranked["b"] == b)) | ((ranked["a"] == b) & (ranked["b"] == a))
    ]
    r = row.iloc[0]

    def neighbour(x: str, y: str) -> tuple[int | None, int]:
        n = nb[(nb["case_id"] == x) & (nb["neighbour"] == y)].iloc[0]
        return (None, 0) if pd.isna(n["rank"]) else (int(n["rank"]), int(n["n_tied"]))

    ranks = ranked["rank"].dropna()
    in_a, in_b = neighbour(a, b), neighbour(b, a)
    return PairSimilarity(
        _nan_none(r["similarity"]),
        _nan_none(r["lower"]),
        _nan_none(r["upper"]),
        int(r["n_joint"]),
        len(ranked),
        None if pd.isna(r["rank"]) else int(r["rank"]),
        0 if pd.isna(r["n_tied"]) else int(r["n_tied"]),
        int(ranks.max()) if len(ranks) else None,
        in_a[0],
        in_a[1],
        in_b[0],
        in_b[1],
    )


def type_place(comp: Any, case_id: str) -> TypePlace:
    """A case's best ideal type, membership and margin, and the conditions it lacks."""
    place = next(x for x in comp.typology if x.case == case_id)
    missing = tuple(
        c for c in comp.calibration.raw.columns if comp.calibration.exact.get((case_id, c)) is None
    )
    return TypePlace(place.best, place.membership, place.margin, place.belongs, missing)


def context_rows(cb: CaseBase, pl: transfer.PairLessons) -> tuple[ContextRow, ...]:
    """Every compared context field of the pair (:data:`analysis.transfer.CONTEXT_FIELDS`)."""
    diffs = {d.field: d.kind for d in pl.a_from_b.context_differences}
    out = []
    for field in transfer.CONTEXT_FIELDS:
        av, ac = transfer.context_class(cb.cases[pl.a], field)
        bv, bc = transfer.context_class(cb.cases[pl.b], field)
        quotes = [
            next((c.evidence for c in cb.cases[x].context if c.field == field), ())
            for x in (pl.a, pl.b)
        ]
        out.append(
            ContextRow(
                field,
                av,
                bv,
                ac,
                bc,
                diffs.get(field, "same"),
                quotes_of(quotes[0]),
                quotes_of(quotes[1]),
            )
        )
    return tuple(out)


def facts(cb: CaseBase, a: str, b: str) -> PairBriefFacts:
    """Compute the language-free facts of the 比较借鉴 of ``a`` and ``b``.

    Raises
    ------
    analysis.reports.errors.UnknownCase
    analysis.reports.errors.ParameterError
        If ``a`` and ``b`` are the same case.
    """
    check_case(cb, a)
    check_case(cb, b)
    if a == b:
        raise ParameterError(f"a pair needs two different cases; got {a!r} twice")
    fa, fb = case_facts(cb, a), case_facts(cb, b)
    pl = transfer.pair_lessons(cb, a, b, max_items=defaults.MAX_LESSONS)
    comp = comparison(cb)
    shared = tuple(
        code
        for code in cb.code_ids
        if all(
            (m := f.mechanism(code)) is not None and m.score is not None and m.score >= STRONG
            for f in (fa, fb)
        )
    )
    return PairBriefFacts(
        fa,
        fb,
        len(cb.case_ids),
        int(cb.codebook.version),
        pl,
        pair_similarity(cb, a, b),
        (type_place(comp, a), type_place(comp, b)),
        context_rows(cb, pl),
        shared,
    )


# ---------------------------------------------------------------------------- text


def build(
    case_a: str,
    case_b: str,
    lang: str = defaults.LANG,
    casebase_dir: str | Path = "casebase",
    sources: str | Path | None = "",
) -> Report:
    """The 比较借鉴 of ``case_a`` and ``case_b``.

    Parameters
    ----------
    case_a, case_b : str
        Two different case ids.
    lang : {"zh", "en"}
    casebase_dir, sources : path
        Case base and corpus folders (relative to the project root; ``""`` = default).

    Returns
    -------
    Report

    Raises
    ------
    analysis.reports.errors.UnknownCase
    analysis.reports.errors.ParameterError
    """
    check_lang(lang)
    cb = open_casebase(casebase_dir, sources or None)
    return write(cb, facts(cb, case_a, case_b), lang)


def evidence(cb: CaseBase, case_id: str, quotes: Sequence[Any], lang: str) -> tuple[Evidence, ...]:
    """Transfer quotes (``source_id``, offsets, text) as checkable evidence; unplaced ones dropped."""
    return as_evidence(
        cb,
        case_id,
        [Quote(q.source_id, q.start, q.end, q.quote) for q in quotes if q.start is not None],
        lang,
    )


def _class_label(cls: str | None, value: str | None, lang: str) -> str:
    if value is None:
        return t(lang, "未报告", "not reported")
    if cls is None:
        return t(lang, "无法归类", "not classifiable")
    if cls in transfer.CONTEXT_CLASSES:
        return transfer.CONTEXT_CLASSES[cls]["zh" if lang == "zh" else "en"]
    return cls.replace("_", " ")


def _value_text(cb: CaseBase, row: ContextRow, side: str, lang: str) -> str:
    """A context value for the text: the source's words (Chinese) or its class (English)."""
    value, cls = (row.a_value, row.a_class) if side == "a" else (row.b_value, row.b_class)
    if lang != "zh" or row.field == "stage" or value is None:
        if row.field == "stage" and value is not None:
            return vocab_label(cb, "stages", value, lang)
        return _class_label(cls, value, lang)
    return value


def _field_label(cb: CaseBase, field: str, lang: str) -> str:
    return vocab_label(cb, "context_fields", field, lang)


def _practice_names(f: CaseFacts, code: str, lang: str) -> str:
    m = f.mechanism(code)
    names = [
        p.name_zh if lang == "zh" else p.name_en
        for pid in (m.practices if m else ())
        for p in f.practices
        if p.practice == pid
    ]
    return joined([name_of(n, lang) for n in names if n], lang, limit=2)


def _direction_clause(cb: CaseBase, ls: transfer.LessonSet, lang: str) -> str:
    lab = cb.labels(lang)
    learner, model = lab["case_short"][ls.learner], lab["case_short"][ls.model]
    if ls.lessons:
        x = ls.lessons[0]
        return T.say(
            "clause_lesson",
            lang,
            learner=learner,
            model=model,
            label=lab["code"][x.code],
            model_desc=T.say("model_desc", lang, score=x.model_score),
            gap=T.say("learner_gap", lang, status=x.learner_status),
            era=x.era,
        )
    if ls.verifications:
        return T.say(
            "clause_verify",
            lang,
            learner=learner,
            model=model,
            labels=joined([f"“{lab['code'][v.code]}”" for v in ls.verifications], lang, limit=2),
        )
    return T.say("clause_none", lang, learner=learner, model=model)


def _direction_quote(cb: CaseBase, ls: transfer.LessonSet, lang: str) -> tuple[Evidence, ...]:
    first = ls.lessons[0] if ls.lessons else (ls.verifications[0] if ls.verifications else None)
    return evidence(cb, ls.model, first.model_evidence[:1], lang) if first else ()


def lesson_recommendation(
    cb: CaseBase,
    lesson: transfer.Lesson,
    priority: int,
    lang: str,
    model_facts: CaseFacts | None = None,
) -> Recommendation:
    """One 比较借鉴 recommendation from a transfer lesson: basis, 适用条件, 风险, era said.

    ``model_facts`` (the model case's :class:`CaseFacts`, for its named practices) is
    computed when not given.
    """
    lab = cb.labels(lang)
    learner, model = lab["case_short"][lesson.learner], lab["case_short"][lesson.model]
    sep = "；" if lang == "zh" else "; "
    risks = transfer.lesson_risk_items(cb, lesson, lang)
    fm = model_facts or case_facts(cb, lesson.model)
    return Recommendation(
        priority,
        T.say(
            "rec_lesson",
            lang,
            learner=learner,
            model=model,
            label=lab["code"][lesson.code],
            practice=_practice_names(fm, lesson.code, lang),
            era=lesson.era,
        ),
        (model, learner),
        evidence(cb, lesson.model, lesson.model_evidence[:1], lang)
        + evidence(cb, lesson.learner, lesson.learner_evidence[:1], lang),
        T.say(
            "rec_conditions",
            lang,
            era_note=lesson.era_note_zh if lang == "zh" else lesson.era_note_en,
            model=model,
            items=sep.join(transfer.condition_items(cb, lesson.model, lang)),
        ),
        T.say("rec_risks", lang, items=sep.join(risks)) if risks else T.say("rec_risks_none", lang),
        T.say(
            "rec_scope",
            lang,
            learner=learner,
            level=level_label(cb.cases[lesson.learner].level, lang),
            era=lesson.era,
        ),
    )


def verification_recommendation(
    cb: CaseBase, ls: transfer.LessonSet, priority: int, lang: str
) -> Recommendation:
    """For a direction without lessons: verify the learner's present situation first."""
    lab = cb.labels(lang)
    learner, model = lab["case_short"][ls.learner], lab["case_short"][ls.model]
    top = ls.verifications[:2]
    sep = "；" if lang == "zh" else "; "
    diffs = [
        d.label_zh if lang == "zh" else d.label_en
        for d in ls.context_differences
        if d.kind in ("differs", "not_comparable")
    ]
    return Recommendation(
        priority,
        T.say(
            "rec_verify",
            lang,
            learner=learner,
            model=model,
            label=lab["code"][top[0].code],
            n=len(ls.verifications),
        ),
        (model, learner),
        tuple(e for v in top for e in evidence(cb, ls.model, v.model_evidence[:1], lang)),
        T.say(
            "rec_verify_conditions",
            lang,
            learner=learner,
            model=model,
            labels=joined([f"“{lab['code'][v.code]}”" for v in ls.verifications], lang, limit=3),
            items=sep.join(transfer.condition_items(cb, ls.model, lang)),
        ),
        T.say("rec_verify_risks", lang, diffs=joined(diffs, lang)),
        T.say(
            "rec_verify_scope",
            lang,
            learner=learner,
            level=level_label(cb.cases[ls.learner].level, lang),
        ),
    )


def selection(
    pf: PairBriefFacts,
) -> tuple[list[transfer.Lesson], list[transfer.LessonSet]]:
    """The lessons the text recommends, and the directions that get a 先核实 recommendation.

    At most :data:`defaults.MAX_RECOMMENDATIONS` in all.  Lessons of both directions,
    era-compatible first, then by their rank in their direction and the model's evidence;
    a direction without lessons but with codes to verify gets one 先核实 recommendation,
    kept within the cap.
    """
    sets = (pf.lessons.a_from_b, pf.lessons.b_from_a)
    verify = [ls for ls in sets if not ls.lessons and ls.verifications]
    pool = sorted(
        ((d, x) for d, ls in enumerate(sets) for x in ls.lessons),
        key=lambda dx: (transfer.ERA_RANK[dx[1].era], dx[1].priority, -dx[1].model_score, dx[0]),
    )
    room = max(defaults.MAX_RECOMMENDATIONS - len(verify), 0)
    chosen = [x for _, x in pool[:room]]
    return chosen, verify[: defaults.MAX_RECOMMENDATIONS - len(chosen)]


def recommendations(cb: CaseBase, pf: PairBriefFacts, lang: str) -> list[Recommendation]:
    """The 对策建议 of the pair, prioritised (see :func:`selection`); each rests on a quote."""
    chosen, verify = selection(pf)
    per = {pf.a.case_id: pf.a, pf.b.case_id: pf.b}
    recs = [lesson_recommendation(cb, x, 0, lang, per[x.model]) for x in chosen]
    recs += [verification_recommendation(cb, ls, 0, lang) for ls in verify]
    out: list[Recommendation] = []
    first_of: dict[str, int] = {}  # model → the item that gives its conditions in full
    for r, x in zip(recs, [*chosen, *[None] * len(verify)], strict=True):
        if not r.evidence:
            continue
        r = dataclasses.replace(r, priority=len(out) + 1)
        if x is not None and x.era == "compatible":
            if x.model in first_of:
                short = cb.labels(lang)["case_short"][x.model]
                r = dataclasses.replace(
                    r,
                    conditions=T.say("rec_conditions_same", lang, model=short, n=first_of[x.model]),
                )
            else:
                first_of[x.model] = r.priority
        out.append(r)
    return out


def _types_sentence(cb: CaseBase, pf: PairBriefFacts, lang: str) -> str:
    cs = comparison(cb).conditions
    lab = cb.labels(lang)["case_short"]
    (ta, tb), (a, b) = pf.typology, (pf.a.case_id, pf.b.case_id)
    if ta.belongs and tb.belongs:
        if ta.best == tb.best:
            return T.say("types_same", lang, type=type_label(cs, ta.best, lang))
        return T.say(
            "types_differ",
            lang,
            a=lab[a],
            b=lab[b],
            type_a=type_label(cs, ta.best, lang),
            type_b=type_label(cs, tb.best, lang),
        )
    if ta.belongs or tb.belongs:
        x, y, tp = (a, b, ta) if ta.belongs else (b, a, tb)
        return T.say("types_one", lang, x=lab[x], y=lab[y], type=type_label(cs, tp.best, lang))
    return T.say("types_none", lang)


def _place(s: PairSimilarity) -> str:
    if s.rank is None:
        return ""
    top, bottom = s.rank == 1, s.rank == s.last_rank
    if top and bottom:
        return "all"
    if 2 * s.n_tied > s.n_pairs:
        return "wide"
    return "top" if top else "bottom" if bottom else ""


def write(cb: CaseBase, pf: PairBriefFacts, lang: str) -> Report:
    """The report text, from the facts."""
    from analysis.reports import appendix

    lab = cb.labels(lang)
    a, b = pf.a.case_id, pf.b.case_id
    sa, sb = lab["case_short"][a], lab["case_short"][b]
    per = {a: pf.a, b: pf.b}
    short = {a: sa, b: sb}
    pl = pf.lessons
    sets = (pl.a_from_b, pl.b_from_a)
    s = pf.similarity
    source_ids = [x.source for f in (pf.a, pf.b) for x in f.sources]
    sources = joined([cite(cb, x, lang) for x in source_ids], lang)
    sim = None if s.similarity is None else f"{s.similarity:.2f}"
    rank = (
        T.say("rank", lang, rank=s.rank, n_pairs=s.n_pairs, n_tied=s.n_tied)
        if s.rank is not None
        else ""
    )
    report = Report(
        kind="pair",
        lang=lang,
        title=T.say("title", lang, a=sa, b=sb),
        subtitle=T.say("subtitle", lang, sources=sources, n=pf.n_cases),
        summary=T.say(
            "summary",
            lang,
            a=sa,
            b=sb,
            n_ab=len(pl.a_from_b.lessons),
            n_ba=len(pl.b_from_a.lessons),
            v_ab=len(pl.a_from_b.verifications),
            v_ba=len(pl.b_from_a.verifications),
            similarity=T.say("summary_similarity", lang, sim=sim, rank=rank),
        ),
        facts=pf,
    )
    report.basis = T.say(
        "basis",
        lang,
        sources=sources,
        relation=joined(
            sorted(
                {
                    vocab_label(cb, "author_relations", x.author_relation, lang)
                    for f in (pf.a, pf.b)
                    for x in f.sources
                }
            ),
            lang,
        ),
        n=pf.n_cases,
        title=report.title,
    )

    # 核心判断
    report.judgements.append(
        Point(
            T.say(
                "judge_similarity",
                lang,
                a=sa,
                b=sb,
                sim=sim,
                lo=None if s.lower is None else f"{s.lower:.2f}",
                hi=None if s.upper is None else f"{s.upper:.2f}",
                n_joint=s.n_joint,
                n_pairs=s.n_pairs,
                rank=s.rank,
                n_tied=s.n_tied,
                place=_place(s),
                types=_types_sentence(cb, pf, lang),
            ),
            note=t(lang, "见附：相似度与类型", "see the appendix: similarity and typology"),
        )
    )
    quotes = tuple(e for ls in sets for e in _direction_quote(cb, ls, lang))
    report.judgements.append(
        Point(
            T.say(
                "judge_lessons",
                lang,
                first=_direction_clause(cb, pl.a_from_b, lang),
                second=_direction_clause(cb, pl.b_from_a, lang),
            ),
            quotes,
            note="" if quotes else t(lang, "见“存在问题”", "see Problems"),
        )
    )
    differs = [r for r in pf.context if r.kind == "differs"]
    unknown = joined(
        [_field_label(cb, r.field, lang) for r in pf.context if r.kind == "not_reported"], lang
    )
    if differs:
        key = differs[0]
        ctx_quotes = as_evidence(cb, a, key.a_evidence[:1], lang) + as_evidence(
            cb, b, key.b_evidence[:1], lang
        )
        report.judgements.append(
            Point(
                T.say(
                    "judge_context",
                    lang,
                    field=_field_label(cb, key.field, lang),
                    a=sa,
                    b=sb,
                    a_value=_class_label(key.a_class, key.a_value, lang),
                    b_value=_class_label(key.b_class, key.b_value, lang),
                    admin=key.field == "admin_level",
                    unknown=unknown,
                ),
                ctx_quotes,
                note="" if ctx_quotes else t(lang, "依据案例档案", "from the case files"),
            )
        )
    else:
        report.judgements.append(
            Point(
                T.say("judge_context_same", lang, unknown=unknown),
                note=t(lang, "见“基本情况”", "see Background"),
            )
        )
    report.judgements = report.judgements[: defaults.MAX_JUDGEMENTS]

    report.sections["background"] = _background(cb, pf, lang)
    report.sections["practices"] = _practices(cb, pf, lang)
    report.sections["effects"] = _effects(cb, pf, lang)
    report.sections["problems"] = _problems(cb, pf, lang)

    # 五、对策建议（比较借鉴）
    recs = recommendations(cb, pf, lang)
    shown = len(selection(pf)[0])
    rc = Section(
        "recommendations",
        t(lang, "对策建议（比较借鉴）", "Recommendations (lessons from the comparison)"),
    )
    total = sum(len(ls.lessons) for ls in sets)
    rc.paragraphs.append(T.say("recommendations_intro", lang, more=max(total - shown, 0)))
    for ls in sets:
        if not ls.lessons:
            rc.paragraphs.append(
                T.say(
                    "no_lesson",
                    lang,
                    learner=short[ls.learner],
                    model=short[ls.model],
                    n_verify=len(ls.verifications),
                )
            )
    report.sections["recommendations"] = rc
    report.recommendations = recs

    # 附：方法与证据
    report.appendix["method"] = Section(
        "method",
        t(lang, "方法说明", "Method"),
        [
            T.say("n_caveat", lang, n=pf.n_cases),
            T.say("method_lessons", lang, max=defaults.MAX_LESSONS),
            T.say("method_similarity", lang),
        ],
    )
    report.appendix["similarity"] = similarity_section(cb, pf, lang)
    for key, f in (("coding_a", per[a]), ("coding_b", per[b])):
        report.appendix[key] = Section(
            key,
            t(
                lang,
                f"{short[f.case_id]}的机制编码与证据",
                f"{short[f.case_id]}: codings and evidence",
            ),
            tables=[("", appendix.coding_table(cb, f, lang))],
        )
    report.appendix["typology"] = appendix.typology_section(cb, comparison(cb), [a, b], lang)
    report.appendix["excluded"] = exclusions_section(cb, pf, lang)
    return report


def _background(cb: CaseBase, pf: PairBriefFacts, lang: str) -> Section:
    """一、基本情况: both models side by side, and the context differences that matter."""
    lab = cb.labels(lang)
    cs = comparison(cb).conditions
    bg = Section("background", t(lang, *GENRE_HEADINGS["background"]))
    for f in (pf.a, pf.b):
        case = cb.cases[f.case_id]
        place = place_name(f.province, f.city, lang)
        bg.paragraphs.append(
            T.say(
                "background_place",
                lang,
                name=lab["case"][f.case_id],
                place=place,
                level=level_phrase(f.level, lang),
                start=f.start_year,
                summary=(case.summary_zh if lang == "zh" else case.summary_en) or "",
            )
        )
        for x in f.sources:
            if x.complete is False:
                bg.paragraphs.append(
                    T.say(
                        "background_excerpt",
                        lang,
                        case=lab["case_short"][f.case_id],
                        not_covered=joined(
                            [lab["family"].get(c) or lab["code"].get(c, c) for c in x.not_covered],
                            lang,
                        ),
                    )
                )
    nr = t(lang, "未报告", "not reported")
    rows: dict[str, list[str]] = {}
    for f, tp in zip((pf.a, pf.b), pf.typology, strict=True):
        ctx = {
            r.field: (r.a_value, r.a_class) if f is pf.a else (r.b_value, r.b_class)
            for r in pf.context
        }
        rows.setdefault(t(lang, "层级", "Level"), []).append(level_label(f.level, lang))
        rows.setdefault(t(lang, "起始年份", "Since"), []).append(
            str(f.start_year) if f.start_year else nr
        )
        rows.setdefault(t(lang, "来源写作年份", "Source written"), []).append(
            str(f.source_year) if f.source_year else t(lang, "未注明", "undated")
        )
        for field in ("stage", "policy_period", "urban_rural", "migrant_share", "fiscal_capacity"):
            value, cls = ctx[field]
            rows.setdefault(_field_label(cb, field, lang), []).append(
                vocab_label(cb, "stages", value, lang)
                if field == "stage" and value is not None
                else _class_label(cls, value, lang)
            )
        rows.setdefault(t(lang, "来源类型", "Source genre"), []).append(
            joined(sorted({vocab_label(cb, "genres", x.genre, lang) for x in f.sources}), lang)
            or nr
        )
        rows.setdefault(t(lang, "作者与模式的关系", "Author's relation"), []).append(
            joined(
                sorted(
                    {
                        vocab_label(cb, "author_relations", x.author_relation, lang)
                        for x in f.sources
                    }
                ),
                lang,
            )
            or nr
        )
        rows.setdefault(t(lang, "理想类型", "Ideal type"), []).append(
            type_label(cs, tp.best, lang) if tp.belongs else t(lang, "无", "none")
        )
    table = pd.DataFrame(
        [[k, *v] for k, v in rows.items()],
        columns=[
            t(lang, "项目", "Item"),
            lab["case_short"][pf.a.case_id],
            lab["case_short"][pf.b.case_id],
        ],
    )
    bg.tables.append((t(lang, "两个模式的基本条件", "The two models side by side"), table))
    matter = [r for r in pf.context if r.kind != "same"]
    if matter:
        bg.paragraphs.append(T.say("context_intro", lang))
    for r in matter:
        bg.points.append(
            Point(
                T.say(
                    "context_point",
                    lang,
                    field=_field_label(cb, r.field, lang),
                    kind=r.kind,
                    a=lab["case_short"][pf.a.case_id],
                    b=lab["case_short"][pf.b.case_id],
                    a_value=_value_text(cb, r, "a", lang),
                    b_value=_value_text(cb, r, "b", lang),
                ),
                as_evidence(cb, pf.a.case_id, r.a_evidence[:1], lang)
                + as_evidence(cb, pf.b.case_id, r.b_evidence[:1], lang),
            )
        )
    return bg


def _practices(cb: CaseBase, pf: PairBriefFacts, lang: str) -> Section:
    """二、主要做法: what each does that the other does not, by family; what both do."""
    lab = cb.labels(lang)
    per = {pf.a.case_id: pf.a, pf.b.case_id: pf.b}
    short = lab["case_short"]
    pr = Section("practices", t(lang, *GENRE_HEADINGS["practices"]))
    lessons = [x for ls in (pf.lessons.a_from_b, pf.lessons.b_from_a) for x in ls.lessons]
    pr.paragraphs.append(
        T.say(
            "practices_intro",
            lang,
            max=defaults.MAX_LESSONS,
            n_shared=len(pf.shared),
            shown=min(len(pf.shared), MAX_SHARED),
        )
    )
    if not lessons:
        pr.paragraphs.append(T.say("practices_none", lang))
    for fam in [x.id for x in cb.codebook.families]:
        points = [
            Point(
                T.say(
                    "lesson_point",
                    lang,
                    model=short[x.model],
                    learner=short[x.learner],
                    label=lab["code"][x.code],
                    status=status_label(x.model_status, lang),
                    practices=_practice_names(per[x.model], x.code, lang),
                    frameworks=joined(
                        [f"“{fw}”" for fw in x.frameworks if fw not in lab["family"][fam]], lang
                    )
                    if lang == "zh"
                    else "",
                    gap=T.say("learner_gap", lang, status=x.learner_status),
                ),
                evidence(cb, x.model, x.model_evidence[:1], lang)
                + evidence(cb, x.learner, x.learner_evidence[:1], lang),
            )
            for x in lessons
            if x.family == fam
        ]
        if points:
            pr.groups.append((T.say("practice_group", lang, family=lab["family"][fam]), points))
    if pf.shared:
        a, b = pf.a, pf.b
        pr.groups.append(
            (
                t(lang, "两地都有具体安排的做法", "What both carry out concretely"),
                [
                    Point(
                        T.say(
                            "shared_point",
                            lang,
                            label=lab["code"][code],
                            a=short[a.case_id],
                            b=short[b.case_id],
                            a_status=status_label(a.mechanism(code).status, lang),
                            b_status=status_label(b.mechanism(code).status, lang),
                        ),
                        as_evidence(cb, a.case_id, a.mechanism(code).evidence[:1], lang)
                        + as_evidence(cb, b.case_id, b.mechanism(code).evidence[:1], lang),
                    )
                    for code in pf.shared[:MAX_SHARED]
                ],
            )
        )
    return pr


def _effects(cb: CaseBase, pf: PairBriefFacts, lang: str) -> Section:
    """三、成效: outcome by outcome, what each source reports and who asserts it."""
    lab = cb.labels(lang)
    short = lab["case_short"]
    ef = Section("effects", t(lang, *GENRE_HEADINGS["effects"]))
    ef.paragraphs.append(T.say("effects_intro", lang))
    neither = []
    for oc in cb.outcome_ids:
        got = {
            f.case_id: o
            for f in (pf.a, pf.b)
            if (o := next((x for x in f.outcomes if x.outcome == oc), None)) is not None
            and o.score is not None
        }
        who = {
            c: vocab_label(cb, "claim_strengths", o.claim_strength, lang) for c, o in got.items()
        }
        level = {c: T.say("effect_level", lang, score=o.score) for c, o in got.items()}
        ev = tuple(e for c, o in got.items() for e in as_evidence(cb, c, o.evidence[:1], lang))
        if len(got) == 2:
            a, b = pf.a.case_id, pf.b.case_id
            text = T.say(
                "effect_both",
                lang,
                outcome=lab["outcome"][oc],
                a=short[a],
                b=short[b],
                a_level=level[a],
                b_level=level[b],
                a_who=who[a],
                b_who=who[b],
            )
        elif got:
            (x,) = got
            y = pf.b.case_id if x == pf.a.case_id else pf.a.case_id
            text = T.say(
                "effect_one",
                lang,
                outcome=lab["outcome"][oc],
                x=short[x],
                y=short[y],
                level=level[x],
                who=who[x],
            )
        else:
            neither.append(lab["outcome"][oc])
            continue
        ef.points.append(Point(text, ev))
    if neither:
        ef.paragraphs.append(T.say("effect_none", lang, outcomes=joined(neither, lang)))
    return ef


def _problems(cb: CaseBase, pf: PairBriefFacts, lang: str) -> Section:
    """四、存在问题: each side's own problems and stated gaps; 先核实 items, capped and counted."""
    lab = cb.labels(lang)
    short = lab["case_short"]
    pb = Section("problems", t(lang, *GENRE_HEADINGS["problems"]))
    pb.paragraphs.append(T.say("problems_intro", lang))
    n_general = 0
    for f in (pf.a, pf.b):
        local = [p for p in f.problems if p.kind == "local"]
        n_general += len(f.problems) - len(local)
        if local:
            points = [
                Point(
                    T.say("problem_point", lang, text=p.text_zh),
                    as_evidence(cb, f.case_id, p.evidence[:1], lang),
                )
                for p in local[:MAX_LOCAL_PROBLEMS]
            ]
            if len(local) > MAX_LOCAL_PROBLEMS:
                points.append(
                    Point(
                        T.say(
                            "problems_more",
                            lang,
                            n=len(local) - MAX_LOCAL_PROBLEMS,
                            case=short[f.case_id],
                        )
                    )
                )
            pb.groups.append((T.say("group_problems", lang, case=short[f.case_id]), points))
    for ls in (pf.lessons.a_from_b, pf.lessons.b_from_a):
        learner, model = short[ls.learner], short[ls.model]
        stated = [x for x in ls.lessons if x.learner_status in ("absent", "proposed")]
        if stated:
            pb.groups.append(
                (
                    T.say("group_gaps", lang, learner=learner, model=model),
                    [
                        Point(
                            T.say(
                                "gap_point",
                                lang,
                                label=lab["code"][x.code],
                                learner=learner,
                                model=model,
                                status=x.learner_status,
                            ),
                            evidence(cb, ls.learner, x.learner_evidence[:1], lang),
                        )
                        for x in stated
                    ],
                )
            )
        if ls.verifications:
            shown = ls.verifications[:MAX_VERIFICATIONS]
            points = [
                Point(
                    T.say(
                        "verify_point",
                        lang,
                        label=lab["code"][v.code],
                        learner=learner,
                        model=model,
                        derived=v.learner_status_derived,
                        year=ls.learner_year or "",
                        era_from=v.era_from or "",
                        model_desc=T.say("model_desc", lang, score=v.model_score),
                    ),
                    evidence(cb, ls.model, v.model_evidence[:1], lang),
                )
                for v in shown
            ]
            rest = ls.verifications[MAX_VERIFICATIONS:]
            if rest:
                points.append(
                    Point(
                        T.say(
                            "verify_more",
                            lang,
                            n=len(rest),
                            labels=joined([lab["code"][v.code] for v in rest], lang, limit=40),
                        )
                    )
                )
            pb.groups.append(
                (
                    T.say(
                        "group_verify",
                        lang,
                        learner=learner,
                        n=len(ls.verifications),
                        shown=len(shown),
                    ),
                    points,
                )
            )
    if n_general:
        pb.paragraphs.append(T.say("problems_general", lang, n=n_general))
    return pb


def similarity_section(cb: CaseBase, pf: PairBriefFacts, lang: str) -> Section:
    """The pair's similarity in detail: value, interval, joint codes, ranks with ties."""
    lab = cb.labels(lang)["case_short"]
    s = pf.similarity
    a, b = pf.a.case_id, pf.b.case_id
    fmt = lambda x: "—" if x is None else f"{x:.2f}"  # noqa: E731
    rank = "—" if s.rank is None else (f"{s.rank}=" if s.n_tied > 1 else str(s.rank))
    table = pd.DataFrame(
        {
            t(lang, "项目", "Item"): [
                t(lang, "模糊 Jaccard 相似度", "Fuzzy Jaccard similarity"),
                t(lang, "95% 刀切法区间", "95% jackknife interval"),
                t(lang, "两地都有报告的编码", "Codes reported for both"),
                t(lang, "案例对名次（= 表示并列）", "Rank among pairs (= tied)"),
                t(lang, "并列的案例对数", "Pairs in the tie group"),
            ],
            t(lang, "数值", "Value"): [
                fmt(s.similarity),
                "—" if s.lower is None else f"{s.lower:.2f}–{s.upper:.2f}",
                str(s.n_joint),
                f"{rank} / {s.n_pairs}",
                str(s.n_tied) if s.rank is not None else "—",
            ],
        }
    )
    paragraphs = []
    for x, y, r, k in ((a, b, s.rank_in_a, s.tied_in_a), (b, a, s.rank_in_b, s.tied_in_b)):
        if r is None:
            paragraphs.append(T.say("neighbour_none", lang, x=lab[x], y=lab[y]))
        else:
            paragraphs.append(
                T.say("neighbour", lang, x=lab[x], y=lab[y], n=pf.n_cases - 1, rank=r, n_tied=k)
            )
    return Section(
        "similarity",
        t(lang, "相似度", "Similarity"),
        paragraphs,
        tables=[(t(lang, "本案例对的相似度", "This pair's similarity"), table)],
    )


def exclusions_section(cb: CaseBase, pf: PairBriefFacts, lang: str) -> Section:
    """Codes the model has evidence for that are not lessons, with the reason (both ways)."""
    lab = cb.labels(lang)
    lg = "zh" if lang == "zh" else "en"
    rows = [
        {
            t(
                lang, "方向", "Direction"
            ): f"{lab['case_short'][ls.model]} → {lab['case_short'][ls.learner]}",
            t(lang, "机制", "Mechanism"): lab["code"][e.code],
            t(lang, "未列为借鉴的理由", "Why not a lesson"): transfer.REASONS[e.reason][lg],
        }
        for ls in (pf.lessons.a_from_b, pf.lessons.b_from_a)
        for e in ls.excluded
    ]
    return Section(
        "excluded",
        t(lang, "未列为借鉴的做法及理由", "Practices not listed as lessons, and why"),
        tables=[("", pd.DataFrame(rows))] if rows else [],
    )


__all__ = [
    "ContextRow",
    "PairBriefFacts",
    "PairSimilarity",
    "build",
    "facts",
    "lesson_recommendation",
    "pair_similarity",
    "recommendations",
    "verification_recommendation",
    "write",
]
