"""tweetnow's mailer service: renders and sends mail in the background."""
