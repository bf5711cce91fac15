"""Signal types: what accord computes from media to match and reason on."""
