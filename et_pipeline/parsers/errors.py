"""The one error type the parsers raise: its message is the quarantine reason."""


class ParseError(ValueError):
    """A file (or file name) that cannot be read as what it claims to be."""
