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
# 案例画像 / Case profile — 修改下方参数单元格后“全部运行”。Change the parameters cell, then run all.

# %% tags=["parameters"]
case_id = "zhoushan_donggang"
lang = "zh"
casebase_dir = "casebase"
sources = ""

# %%
from analysis import briefing

report = briefing.case_profile(case_id, lang=lang, casebase_dir=casebase_dir, sources=sources or None)
report.show_title()

# %% tags=["summary"]
report.show_summary()

# %%
report.show("overview")

# %%
report.show("configuration")

# %%
report.show("practices")

# %%
report.show("indicators")

# %%
report.show("network")

# %%
report.show("outcomes")

# %%
report.show("evidence")

# %%
report.show_findings()
