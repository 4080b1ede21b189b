"""Python attribute names to GraphQL field names."""


def camel(name: str) -> str:
    """first_name -> firstName; a trailing underscore (in_, and_) is dropped."""
    head, *rest = name.rstrip("_").split("_")
    return head + "".join(p.title() for p in rest)
