"""The accounts domain's pure rules (no database): passwords, secrets, what a user record needs."""
