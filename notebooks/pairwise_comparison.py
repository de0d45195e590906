# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown] tags=["remove-cell"]
# 两两比较 / Pairwise comparison — 修改参数后“全部运行”。Change the parameters, then run all.

# %% tags=["parameters"]
case_a = "shaoxing"
case_b = "dongguan"
lang = "zh"
casebase_dir = "casebase"
sources = ""

# %%
from analysis import briefing

report = briefing.pairwise_comparison(case_a, case_b, lang=lang, casebase_dir=casebase_dir, sources=sources or None)
report.show_title()

# %% tags=["summary"]
report.show_summary()

# %%
report.show("similarity")

# %%
report.show("shared")

# %%
report.show("distinctive")

# %%
report.show("networks")

# %%
report.show("learning")

# %%
report.show_findings()
