"""The network: one polite HTTP fetcher for portals, feeds and photos."""
