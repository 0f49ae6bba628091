"""Practice that compounds: what the history says a candidate should answer next, and how they progress."""
