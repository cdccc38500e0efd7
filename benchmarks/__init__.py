"""`make bench`: speed and quality measured in one run, compared as ratios, never as unit tests."""
