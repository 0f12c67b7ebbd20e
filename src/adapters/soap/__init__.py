"""Legacy SOAP provisioning (catalogue §3): envelopes built as strings to keep the wire quirks
legacy consumers rely on, WSDL discovery with defusedxml, and the ``LegacyWebService`` adapter."""
