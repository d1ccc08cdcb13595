"""HTTP only: the application factory, the WSGI server, the protocol helpers and one blueprint per module."""
