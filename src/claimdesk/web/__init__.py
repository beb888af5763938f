"""The web layer: every server-rendered page and form (docs/architecture.md, "web").

``kit`` renders templates, picks the language, reads forms and runs the one "attempt"
pattern (refusal shown beside its field); ``router`` assembles the pages router. Areas:
``claims`` (staff claim pages and forms), ``portal`` (customers), ``admin`` (management
pages), ``dashboards``. Pages call domain services only; domains never import this layer.
"""
