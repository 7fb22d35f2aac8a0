"""Synthetic plates with exact labels, scenes for the detector, and the demo clip."""
