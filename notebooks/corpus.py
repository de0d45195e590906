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
# 语料分析 / Corpus — 需要语料文件夹（`sources` 参数、环境变量 `WORKBENCH_SOURCES` 或 `pyproject.toml` 的 `[tool.workbench]`，相对路径相对于项目根目录）；没有时报告会说明并跳过。
# Needs a corpus folder (the `sources` parameter, `$WORKBENCH_SOURCES` or `[tool.workbench]` in `pyproject.toml`; relative to the project root); without one the report says so.

# %% tags=["parameters"]
sources = ""
lang = "zh"
casebase_dir = "casebase"

# %%
from analysis import briefing

report = briefing.corpus_briefing(lang=lang, casebase_dir=casebase_dir, sources=sources or None)
report.show_title()

# %% tags=["summary"]
report.show_summary()

# %%
for key in report.sections:
    report.show(key)

# %%
report.show_findings()
