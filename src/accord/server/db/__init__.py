"""Database access: the declarative base, engines and Alembic migrations."""
