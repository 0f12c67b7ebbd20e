"""State kept in Redis beside the jobs: the delivery records that make retries safe."""
