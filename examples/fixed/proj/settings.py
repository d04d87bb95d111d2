"""Django settings: Celery reads every CELERY_* name (namespace='CELERY')."""

import environ

env = environ.Env()

DEBUG = False
SESSION_SERIALIZER = "django.contrib.sessions.serializers.PickleSerializer"

CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="redis://localhost:6379/0")
CELERY_TASK_SERIALIZER = env.str("CELERY_TASK_SERIALIZER", default="json")
CELERY_ACCEPT_CONTENT = env.list("CELERY_ACCEPT_CONTENT", default="json")
CELERY_RESULT_SERIALIZER = "json"
CELERY_TASK_ANNOTATIONS = {"proj.tasks.render": {"rate_limit": "10/s"}}
CELERY_BEAT_SCHEDULE = {
    "nightly-report": {
        "task": "proj.tasks.render",
        "schedule": 86400,
        "options": {"serializer": "json"},
    },
}
