"""The platform's REST APIs (directories, organisations, applications, access) over httpx."""
