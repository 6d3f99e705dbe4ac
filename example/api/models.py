# The API app has no models of its own: it serves the catalog's models.
