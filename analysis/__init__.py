"""Comparative policy research workbench for grassroots social governance.

The importable library behind the notebooks and the ``workbench`` command.
Each module covers one method family:

- :mod:`analysis.casebase`      loading and validating ``casebase/`` (the only place that reads it)
- :mod:`analysis.configuration` case x mechanism membership matrices and profiles
- :mod:`analysis.similarity`    Jaccard / fuzzy Jaccard / Gower distances, clustering, MDS
- :mod:`analysis.qca`           crisp and fuzzy-set QCA, equal to R's QCA package
- :mod:`analysis.networks`      actor-mechanism networks and their measures
- :mod:`analysis.stats`         contingency tests, agreement, coding sensitivity
- :mod:`analysis.text`          segmentation, keyness, keyword-in-context
- :mod:`analysis.render`        the one place that renders reports
- :mod:`analysis.batch`         the papermill batch of briefing reports
"""

__version__ = "0.1.0"
