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
# 调研提纲 / Field-research guide — 修改下方参数单元格后“全部运行”。Change the parameters cell, then run all.

# %% tags=["parameters"]
case_id = "zhoushan_donggang"
lang = "zh"
casebase_dir = "casebase"
sources = ""

# %%
from analysis import reports

report = reports.build(
    "fieldguide", case_id=case_id, lang=lang, casebase_dir=casebase_dir, sources=sources
)
report.show_title()

# %%
report.show_judgements()

# %%
report.show("purpose")

# %%
report.show("questions")

# %%
report.show_appendix()

# %% tags=["remove-cell"]
report.show_facts()
