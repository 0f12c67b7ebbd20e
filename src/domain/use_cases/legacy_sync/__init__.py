"""Legacy sync (docs/legacy-sync.md): push organisations, roles and users to legacy SOAP services.

Fan-out jobs decide which subscribed applications hear about a change and enqueue one push job
per application on ``<family>_<applicationId>``; push jobs send CREATE or UPDATE through the
``LegacyWebService`` port and remember what they sent in the ``SyncStateStore``.
"""
