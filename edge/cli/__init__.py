"""The ``anpr`` command line."""
