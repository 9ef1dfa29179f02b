"""tweetnow's web service: the JSON API, sign-in with X, and the pages."""

from .twitter_text_import import import_twitter_text

# First, before any module of the web's imports twitter-text (see twitter_text_import).
import_twitter_text()
