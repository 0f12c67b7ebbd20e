"""The local ``EmailSender`` used when no Notify key is configured."""
