"""The Celery application: every app's tasks.py is discovered; settings come from Django."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wenzhou_portal.settings")

app = Celery("wenzhou_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
