import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "proj.settings")

app = Celery("proj")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.event_serializer = "pickle"  # CPK001
app.conf["result_accept_content"] = ["json", "application/x-python-serialize"]  # CPK002
app.conf.accept_content.append("pickle")  # CPK002
app.autodiscover_tasks()

# A second, stand-alone app for the reporting service.
reports = Celery("reports", broker="redis://localhost:6379/2")  # CPK004
reports.conf.update(
    result_serializer="pickle",  # CPK003
    result_backend="db+postgresql://celery@db/results",  # CPK010
)
