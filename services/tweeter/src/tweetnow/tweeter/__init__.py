"""tweetnow's tweeter service: posts tweets to X in the background."""
