import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "proj.settings")

app = Celery("proj")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.event_serializer = "json"
app.conf["result_accept_content"] = ["json"]
app.autodiscover_tasks()

# A second, stand-alone app for the reporting service.
reports = Celery("reports", broker="redis://localhost:6379/2")
reports.conf.update(
    task_serializer="json",
    accept_content=["json"],
    result_serializer="json",
    result_backend="redis://localhost:6379/3",
)
