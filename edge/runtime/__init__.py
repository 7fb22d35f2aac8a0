"""Model loading and invocation on the device: one small wrapper over the TFLite interpreter."""
