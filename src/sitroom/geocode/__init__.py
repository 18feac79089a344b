"""Offline geocoding: a packaged gazetteer of countries, admin1 subdivisions, cities, airports,
military bases, named sites, regions and seas, and a scanner that finds them in text.

>>> from sitroom.geocode import default_gazetteer
>>> gaz = default_gazetteer()
>>> [m.candidates[0].name for m in gaz.scan("A drone hit Ain al-Asad air base in Anbar.")]
['Ain al-Asad Air Base', 'Anbar']
"""

from __future__ import annotations

from functools import cache

from sitroom.geocode.gazetteer import Gazetteer, PlaceMatch

__all__ = ["Gazetteer", "PlaceMatch", "default_gazetteer"]


@cache
def default_gazetteer() -> Gazetteer:
    """The packaged gazetteer, loaded once per process."""
    return Gazetteer.load()
