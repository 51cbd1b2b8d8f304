"""The base every app builds on, below all of them: the service errors and the API's one error
shape, strict request fields and parsers, output serializers built once, the small cached
tables. It imports no app (supportdesk/ only wires the project together)."""
