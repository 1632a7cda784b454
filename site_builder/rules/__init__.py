"""Pure functions for the program's rules: quality ratings, points, pathways."""
