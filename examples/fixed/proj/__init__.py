"""The safe twin of examples/vulnerable/proj: json everywhere, nothing for flake8 to report."""
