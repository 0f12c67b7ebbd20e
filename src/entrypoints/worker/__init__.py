"""The BullMQ consumer: the driving adapter that turns queued jobs into use-case calls."""
