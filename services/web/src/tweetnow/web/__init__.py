"""tweetnow's web service: the JSON API, sign-in with X, and the pages."""

import warnings

# twitter-text-parser still imports pkg_resources; setuptools is pinned below 81
# for it (services/web/pyproject.toml). The deprecation notice is not ours to act on.
warnings.filterwarnings("ignore", message="pkg_resources is deprecated", category=UserWarning)
