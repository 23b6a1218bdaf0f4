"""The Celery application: Redis as broker at scale, inline execution when none is set."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "renshi.config.settings.dev")

app = Celery("renshi")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
