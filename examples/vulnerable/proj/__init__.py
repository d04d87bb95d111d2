"""A small Celery project that lets pickle into its queues in every way it can.

Each offending line carries the CPK code it must produce; examples/fixed is its safe twin.
"""
