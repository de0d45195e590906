# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown] tags=["remove-cell"]
# 比较借鉴 / Pairwise lessons — 修改下方参数单元格后“全部运行”。Change the parameters cell, then run all.

# %% tags=["parameters"]
case_a = "shaoxing"
case_b = "zhoushan_donggang"
lang = "zh"
casebase_dir = "casebase"
sources = ""

# %%
from analysis import reports

report = reports.build(
    "pair", case_a=case_a, case_b=case_b, lang=lang, casebase_dir=casebase_dir, sources=sources
)
report.show_title()

# %%
report.show_judgements()

# %%
report.show("background")

# %%
report.show("practices")

# %%
report.show("effects")

# %%
report.show("problems")

# %%
report.show("recommendations")

# %%
report.show_appendix()

# %% tags=["remove-cell"]
report.show_facts()
