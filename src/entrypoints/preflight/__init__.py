"""``dsi-jobs check``: a preflight of the configuration and every dependency (``checks``)."""
