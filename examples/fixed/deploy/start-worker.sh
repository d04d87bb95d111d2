#!/bin/sh
# Starts the worker with json everywhere; nothing here is a finding.
export CELERY_TASK_SERIALIZER=json
CELERY_ACCEPT_CONTENT='["json"]' celery -A proj worker -l info
celery -A proj worker \
  --concurrency 4 \
  -- task_serializer=json accept_content='(list)["json"]'
celery -A proj call proj.tasks.rebuild --serializer=json
docker run -e CELERY_RESULT_SERIALIZER=json example/app
echo "remember: task_serializer is json, never pickle"
