"""Public-API invitation jobs: invite a person for a relying party and call it back."""
