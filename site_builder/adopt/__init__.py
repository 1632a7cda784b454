"""Adopting a state's existing list: ``credsite import`` and ``credsite export`` (SPEC 8).

The stages read top to bottom: ``spreadsheet`` reads the list into rows of cells (merged
ranges filled in), ``mapping`` is the MAP.yml that says which column holds which fact,
``cells`` turns one messy cell into one catalog value or a message, ``importer`` matches
rows to credential files and plans the writes, ``frontmatter`` edits only the lines of the
facts that changed, and ``exporter`` writes the catalog back as the state office's
spreadsheet with the MAP.yml that reads it.
"""
