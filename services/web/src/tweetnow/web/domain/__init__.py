"""The web's rules, one service per noun, shared by the JSON API and the pages.

Services take plain values, return answer structs, and raise
``domain.errors``; they know nothing of HTTP.
"""
