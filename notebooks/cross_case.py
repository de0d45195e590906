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
# 跨案例比较 / Cross-case comparison — 修改参数后“全部运行”。Change the parameters, then run all.

# %% tags=["parameters"]
cases = ["zhoushan_donggang", "shaoxing", "xiamen_haicang", "shanghai_ningbo", "dongguan"]
families = ["party_leadership", "social_organizations", "participation", "grid_digital"]
outcome = "multi_actor_collaboration"
incl_cut = 0.8
lang = "zh"
casebase_dir = "casebase"
sources = ""

# %%
from analysis import briefing

report = briefing.cross_case(
    cases, families, outcome, incl_cut, lang=lang, casebase_dir=casebase_dir, sources=sources or None
)
report.show_title()

# %% tags=["summary"]
report.show_summary()

# %%
report.show("configuration")

# %%
report.show("qca")

# %%
report.show("sensitivity")

# %%
report.show("networks")

# %%
report.show_findings()
