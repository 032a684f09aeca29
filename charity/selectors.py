"""Reads of charity (乐善365): where every read beyond ``.get(pk=…)`` will live.

Charity has no models yet and its one page (``views.landing``) renders a static template,
so there is nothing to read today. When charity gains models (projects, donations…), their
scoped querysets and aggregates go here, as in the other apps' ``selectors.py``, for the
pages, the API and admin to share — and for the index, which may read charity only
through this module.
"""
