"""The JSON API, one resource module per noun: parse the request, call the service, answer."""
