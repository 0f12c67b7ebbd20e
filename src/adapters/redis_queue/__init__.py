"""BullMQ queues in Redis: enqueue as the Node producers do, read and repair queue state as Node
tools do. (Named for what it serves, not ``bullmq``, the library it builds on.)"""
