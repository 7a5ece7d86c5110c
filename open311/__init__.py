"""Open311 GeoReport v2 at ``/open311/v2/``: services, service definitions, requests and tokens.

The public standard that citizen-reporting apps already speak (http://wiki.open311.org/GeoReport_v2).
A posted request becomes a normal ticket through ``tickets.services.open_ticket``.
"""
