"""Open311 GeoReport v2 at /open311/v2/: public services and requests, POST with an API key."""
