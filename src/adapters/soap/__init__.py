"""Legacy SOAP provisioning (docs/soap.md): envelopes built as strings to keep the wire quirks
legacy consumers rely on, WSDL discovery with defusedxml, and the ``LegacyWebService`` adapter."""
