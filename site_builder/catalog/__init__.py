"""The Git-managed catalog: reading, validating and cross-checking its files."""

from site_builder.catalog.loader import Catalog, load_catalog

__all__ = ["Catalog", "load_catalog"]
