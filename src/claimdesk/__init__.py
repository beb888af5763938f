"""claimdesk: claims and service operations for a health and general insurer."""

__version__ = "0.1.0"
