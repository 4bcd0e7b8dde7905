"""ASGI-level guards that run before routing: body size, rate limits, unavailability."""
