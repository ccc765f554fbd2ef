"""Services: polling, stores, journals, audit, settings. asyncio and plain Python; no widgets, no Qt."""
