"""Sources: fetching portals and feeds, reading them, storing what is new."""
