"""flake8-celery-pickle: keep pickle, and the code execution it brings, out of Celery queues.

The flake8 entry point is :mod:`flake8_celery_pickle.plugin`; the whole-tree command is
:mod:`flake8_celery_pickle.cli`. Nothing here imports beyond the standard library.
"""
