"""Loaded by workers started with `celery --config proj.celeryconfig`."""

SERIALIZER = "pickle"

task_serializer = SERIALIZER  # CPK001
result_serializer = "json" if False else "pickle"  # CPK001
accept_content = ["json", "pickle", "msgpack"]  # CPK002
result_accept_content = ("json",)
task_routes = {"proj.tasks.*": {"queue": "default", "serializer": "pickle"}}  # CPK005
