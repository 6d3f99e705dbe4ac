from .base import Tracked  # noqa: F401
from .books import AudioBook, Book, BookQuerySet, Category, Edition, Review, Tag  # noqa: F401
from .people import Author, AuthorProfile, Publisher  # noqa: F401
