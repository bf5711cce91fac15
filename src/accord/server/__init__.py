"""accord's HTTP service: FastAPI app, database, blob store and domains."""
