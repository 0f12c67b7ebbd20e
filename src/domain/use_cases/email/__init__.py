"""E-mail jobs to one person, and what every e-mail job shares: payload fields, building
messages, links from settings and sending each e-mail at most once."""
