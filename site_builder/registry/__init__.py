"""Publishing the catalog's CTDL graph to Credential Engine's Credential Registry."""
