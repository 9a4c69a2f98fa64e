"""The one place that imports Django's Tasks API (docs/decisions/0099).

Today it is the `django-tasks` backport; on Django 6 the same names come
from `django.tasks`, and only this module changes."""

from __future__ import annotations

from django_tasks import TaskResultStatus, task, task_backends

__all__ = ["TaskResultStatus", "task", "task_backends"]
