"""Plate OCR: a small fully convolutional CTC reader, its data pipeline and training loop."""
