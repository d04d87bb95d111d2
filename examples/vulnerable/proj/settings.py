"""Django settings: Celery reads every CELERY_* name (namespace='CELERY')."""

import environ

env = environ.Env()

DEBUG = False
SESSION_SERIALIZER = "django.contrib.sessions.serializers.PickleSerializer"

CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="redis://localhost:6379/0")
CELERY_TASK_SERIALIZER = env.str("CELERY_TASK_SERIALIZER", default="pickle")  # CPK001
CELERY_ACCEPT_CONTENT = env.list("CELERY_ACCEPT_CONTENT", default="json,pickle")  # CPK002
CELERY_RESULT_SERIALIZER = "json"
CELERY_TASK_ANNOTATIONS = {"proj.tasks.render": {"serializer": "pickle"}}  # CPK005
CELERY_BEAT_SCHEDULE = {
    "nightly-report": {
        "task": "proj.tasks.render",
        "schedule": 86400,
        "options": {"serializer": "pickle"},  # CPK005
    },
}
