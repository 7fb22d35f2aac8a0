"""``make export``: full-integer int8 (and float32) TFLite from the Keras models, with a parity gate."""
