class ObjectType:
    pass


class Tag(ObjectType):
    """An API type named like the model: `Tag` alone no longer says which class is meant."""

    name = ""
