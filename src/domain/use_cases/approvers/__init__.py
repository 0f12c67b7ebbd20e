"""E-mail jobs about an organisation's approvers: routing a request to them (or to the support
desk), asking them to decide, and telling the others the outcome."""
