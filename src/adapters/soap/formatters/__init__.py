"""The nine formatters of catalogue §3.7 (Default, Collect, S2S for user, organisation, group)."""
