"""Parts of the one settings module (wenzhou_portal/settings.py) kept apart by concern.

Each part is data or a function of values settings.py already read; none reads the
environment on its own, so settings.py stays the one place that says what is configured.
"""
