"""Redis adapters: enqueue as the Node producers do, read queue state as Node tools do, and
keep delivery records beside the jobs."""
