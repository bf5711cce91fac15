"""Content Credentials: issuers' certificates, signing and verification with C2PA."""
