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
# 语料分析 / Corpus analysis — 需要来源文本：`sources` 参数、环境变量 `WORKBENCH_SOURCES` 或 `pyproject.toml` 的 `[tool.workbench] sources`（相对路径相对于项目根目录）；没有时报告说明原因，不生成空报告。
# Needs the source texts (the `sources` parameter, `$WORKBENCH_SOURCES` or `[tool.workbench] sources` in `pyproject.toml`, relative to the project root); without them it says why and builds nothing.

# %% tags=["parameters"]
lang = "zh"
casebase_dir = "casebase"
sources = ""

# %%
from analysis import reports

report = reports.build("corpus", lang=lang, casebase_dir=casebase_dir, sources=sources)
report.show_title()

# %%
report.show("sources")

# %%
report.show("keywords")

# %%
report.show("terms")

# %%
report.show_appendix()

# %% tags=["remove-cell"]
report.show_facts()
