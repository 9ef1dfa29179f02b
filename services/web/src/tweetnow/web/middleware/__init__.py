"""What runs around every request: metrics, security headers, request id, database, caller."""
