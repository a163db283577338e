"""geosite: turns a folder of dataset metadata and sources into a static OGC API Records + STAC site."""

__version__ = "0.1.0"
