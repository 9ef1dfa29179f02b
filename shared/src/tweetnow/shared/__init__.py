"""The contract every tweetnow service imports: settings, broker, messages, job status, models."""
