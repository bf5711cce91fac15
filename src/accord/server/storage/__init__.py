"""Where original bytes live."""
