"""The CVSecurity simulator: a stateful server speaking the manual's API, for demo, training and tests."""
