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
# 编码信度 / Coding reliability — 修改下方参数单元格后“全部运行”。Change the parameters cell, then run all.

# %% tags=["parameters"]
lang = "zh"
casebase_dir = "casebase"
sources = ""

# %%
from analysis import reports

report = reports.build("reliability", lang=lang, casebase_dir=casebase_dir, sources=sources)
report.show_title()

# %%
report.show_judgements()

# %%
report.show("rounds")

# %%
report.show("codes")

# %%
report.show("disagreements")

# %%
report.show_appendix()

# %% tags=["remove-cell"]
report.show_facts()
