"""The App Store: verifying what Apple signed, and asking Apple's server API."""
