"""The nine formatters (docs/soap.md#formatters): Default, Collect and S2S for user,
organisation and group."""
