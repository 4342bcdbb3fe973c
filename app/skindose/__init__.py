"""Skin dose maps of fluoroscopy (RF) studies, from the geometry of their RDSR events.

``phantom.py`` builds the patient phantom (an elliptical cylinder scaled to the patient),
``factors.py`` holds the published correction factors (backscatter, table and mattress,
tissue-to-air), ``geometry.py`` turns stored TID 10003 events into beam arrays and
``calculation.py`` projects every event onto every skin cell at once (numpy). ``maps.py``
computes and stores a study's map (``SkinDoseMap``), ``background.py`` is the task queued
after import, ``cli.py`` is ``flask skindose compute`` and ``views.py`` the JSON of a map.
The method, its sources and its limits: docs/skin-dose.md.
"""
METHOD_VERSION = "2"  # 2: backscatter by kV, copper and field (Benmakhlouf et al. 2011)
