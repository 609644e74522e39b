"""The documents domain's pure rules (no database, no files): file names and what a stored
document must carry."""
