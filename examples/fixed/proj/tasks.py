from celery import Task, shared_task

from proj.celery import app


class JsonTask(Task):
    serializer = "json"


@app.task(serializer="json")
def render(report):
    return report


@shared_task(bind=True, base=JsonTask)
def refresh(self, report_id):
    try:
        return report_id
    except ConnectionError as exc:
        raise self.retry(exc=exc)


def schedule(report):
    render.delay(report, serializer="pickle")  # a task argument, not an option
    render.apply_async((report,), serializer="json")
    app.send_task("proj.tasks.render", args=(report,))
    render.s(report).set(queue="reports").apply_async()
