"""A local stand-in for the slice of the X API tweetnow uses (development and tests only)."""
