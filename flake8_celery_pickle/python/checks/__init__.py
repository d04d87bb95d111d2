"""One module per concept; importing this package registers every check with the judge."""

from flake8_celery_pickle.python.checks import (  # noqa: F401
    app_config,
    kombu_registry,
    per_call,
    security,
    settings,
)
