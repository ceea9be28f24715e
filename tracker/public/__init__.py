"""Published plans for everyone: public pages and open data, and what keeps them fit for
anonymous traffic (caching, a rate limit). Reads through the viewer-aware loaders as an
anonymous visitor; imports the lower layers, never the signed-in views."""
