"""Edge ANPR core: the dependency-light runtime that runs on the device.

This package must never import TensorFlow, Keras or anything from ``train`` or ``export``:
it is what a Raspberry Pi installs. Heavy optional dependencies (OpenCV, the TFLite
interpreter, paho-mqtt) are imported inside the functions that need them.
"""

__version__ = "0.1.0"
