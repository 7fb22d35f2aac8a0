"""Plate detector: model, target encoding, scene cache and training loop."""
