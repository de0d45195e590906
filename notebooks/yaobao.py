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
# 要报 / One-page brief — 修改下方参数单元格后“全部运行”。Change the parameters cell, then run all.

# %% tags=["parameters"]
report_kind = "case"
case_id = "zhoushan_donggang"
case_a = ""
case_b = ""
cases = "all"
lang = "zh"
casebase_dir = "casebase"
sources = ""

# %%
from analysis import reports

brief = dict(report_kind=report_kind, case_id=case_id, case_a=case_a, case_b=case_b, cases=cases)
paths = dict(casebase_dir=casebase_dir, sources=sources)
report = reports.build("yaobao", **brief, lang=lang, **paths)
report.show_title()

# %%
report.show_judgements()

# %%
report.show("recommendations")

# %%
report.show("basis")

# %%
report.show_appendix()

# %% tags=["remove-cell"]
report.show_facts()
