"""``python -m site_builder``: the same command line as ``credsite``."""

import sys

from site_builder.cli import main

# Guarded: protection's worker processes import the main module again, and must not
# start another build when they do.
if __name__ == "__main__":
    sys.exit(main())
