"""The customer portal (SMS login, own claims and policies, complaints)."""
