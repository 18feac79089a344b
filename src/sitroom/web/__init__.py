"""The web face of sitroom: response models and views for :mod:`sitroom.api`, and the dashboard.

* :mod:`sitroom.web.models`: the JSON shapes of the HTTP API (pydantic, so they document
  themselves in the OpenAPI schema at ``/docs``).
* :mod:`sitroom.web.views`: events, mentions and documents turned into those shapes.
* :mod:`sitroom.web.assets`: the dashboard's own files (``static/``) and the third-party
  front-end files that ``make setup`` installs with npm into ``node_modules/`` (never committed).
"""
