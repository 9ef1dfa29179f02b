"""tweetnow's web service: the JSON API, sign-in with X, and the pages."""
