"""Demo scenario: a believable country to explore, and a generator that keeps it moving."""
