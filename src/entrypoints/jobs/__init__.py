"""Job families: each module wires its use cases and declares their ``JobSpec``s."""
