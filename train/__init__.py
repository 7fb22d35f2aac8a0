"""Workstation side: datasets, synthetic plates and scenes, training. Imports ``edge``, never the reverse."""

import os

# TensorFlow's own CPU kernel for depthwise convolutions takes equal strides only, and the reader's
# blocks stride (2, 1); oneDNN's kernel takes any. TensorFlow turns oneDNN on by itself only on some
# CPUs (with AVX-512), so on an AVX2-only CPU (an older AMD EPYC) training and the Keras forward pass
# failed with "Current implementation only supports equal length strides". Set before anything imports
# TensorFlow (every training, export and test path imports this package first); a user's own setting wins.
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "1")
