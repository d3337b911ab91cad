"""cd2-warehouse loader: Canvas Data 2 (DAP) into PostgreSQL with dlt."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("cd2-warehouse")
except PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0.0.0"
