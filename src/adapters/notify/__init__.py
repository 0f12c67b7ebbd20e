"""GOV.UK Notify ``EmailSender`` on the official ``notifications-python-client``."""
