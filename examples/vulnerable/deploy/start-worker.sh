#!/bin/sh
# Starts the worker; every pickle below is a finding.
export CELERY_TASK_SERIALIZER=pickle  # CPK001
CELERY_ACCEPT_CONTENT='["json","pickle"]' celery -A proj worker -l info  # CPK002
celery -A proj worker \
  --concurrency 4 \
  -- task_serializer=pickle accept_content='(list)["json","pickle"]'  # CPK003 CPK003
celery -A proj call proj.tasks.rebuild --serializer=pickle  # CPK005
docker run -e CELERY_RESULT_SERIALIZER=pickle example/app  # CPK001
echo "remember: task_serializer is json, never pickle"
