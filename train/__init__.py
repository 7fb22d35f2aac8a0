"""Workstation side: datasets, synthetic plates and scenes, training. Imports ``edge``, never the reverse."""
