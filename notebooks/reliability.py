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
# 编码信度 / Inter-coder reliability — 修改参数后“全部运行”。Change the parameters, then run all.

# %% tags=["parameters"]
lang = "zh"
casebase_dir = "casebase"
sources = ""

# %%
from analysis import briefing

report = briefing.reliability_briefing(lang=lang, casebase_dir=casebase_dir, sources=sources or None)
report.show_title()

# %% tags=["summary"]
report.show_summary()

# %%
for key in report.sections:
    report.show(key)

# %%
report.show_findings()
