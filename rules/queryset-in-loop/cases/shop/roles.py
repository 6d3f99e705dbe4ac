from enum import Enum


class Role(Enum):
    ADMINISTRATOR = "A"
    EDITOR = "E"
    AGENT = "T"


class Level(Role):
    pass


class Reviewer:
    FIRST = "1"
    SECOND = "2"
