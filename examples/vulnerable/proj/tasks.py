from celery import Task, shared_task

from proj.celery import app


class PickledTask(Task):
    serializer = "pickle"  # CPK005


@app.task(serializer="pickle")  # CPK005
def render(report):
    return report


@shared_task(bind=True, base=PickledTask)
def refresh(self, report_id):
    try:
        return report_id
    except ConnectionError as exc:
        raise self.retry(exc=exc, serializer="pickle")  # CPK005


def schedule(report):
    render.delay(report, serializer="pickle")  # a task argument, not an option
    render.apply_async((report,), serializer="pickle")  # CPK005
    app.send_task("proj.tasks.render", args=(report,), serializer="pickle")  # CPK005
    render.s(report).set(serializer="pickle").apply_async()  # CPK005
