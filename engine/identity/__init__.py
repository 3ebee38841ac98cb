"""Who is who: PINs kept as slow salted hashes, signed expiring tokens, wrong-guess gates
shared through the database, and the instructor allowlist for OpenID Connect sign-in."""
