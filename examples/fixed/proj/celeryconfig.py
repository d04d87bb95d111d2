"""Loaded by workers started with `celery --config proj.celeryconfig`."""

SERIALIZER = "json"

task_serializer = SERIALIZER
result_serializer = "json"
accept_content = ["json", "msgpack"]
result_accept_content = ("json",)
task_routes = {"proj.tasks.*": {"queue": "default"}}
