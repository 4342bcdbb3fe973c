"""Size-specific dose estimates (SSDE) of CT irradiation events, after AAPM Reports 204 and 220.

``aapm.py`` holds the conversion factors and the choice of patient size (pure functions);
``events.py`` applies them to stored events or records, at import and for
``flask ssde recompute`` (docs/ssde.md).
"""
