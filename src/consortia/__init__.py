"""Consortia: news articles about organizations and alliances as linked data."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("consortia")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0"
