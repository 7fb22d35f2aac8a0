"""The data layer: reading and validating the common dataset layout, leakage-free splits."""
