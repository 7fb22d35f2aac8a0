"""Error types that the CLI turns into one clear line (and a non-zero exit)."""


class AnprError(Exception):
    """Base class for every error a user should see as one line, without a traceback."""


class ImageReadError(AnprError):
    """An image file or buffer could not be read or decoded."""


class DataError(AnprError):
    """A dataset folder or annotation file is malformed."""


class ConfigError(AnprError):
    """A configuration file or value is invalid."""
