"""Open311 GeoReport v2 over the appeals module: categories are services, appeals are service requests."""
