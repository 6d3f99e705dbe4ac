from .models import Author, Tag


class AuthorNames:
    def __init__(self):
        self.authors = {}

    def names(self, books):
        # One query per distinct author: the cache bounds them.
        for book in books:
            if book.author_id not in self.authors:
                self.authors[book.author_id] = Author.objects.get(pk=book.author_id)
            print(self.authors[book.author_id].name)


def cached_with_get(rows):
    cache = {}
    for row in rows:
        author = cache.get(row["author"])
        if author is None:
            author = Author.objects.get(pk=row["author"])
            cache[row["author"]] = author
        print(author.name)


def cached_in_else(rows):
    cache = {}
    for row in rows:
        if row["tag"] in cache:
            tag = cache[row["tag"]]
        else:
            tag = cache[row["tag"]] = Tag.objects.get(name=row["tag"])
        print(tag.name)


def setdefault_runs_every_time(rows):
    # setdefault() evaluates its argument on every call: not a cache.
    cache = {}
    for row in rows:
        tag = cache.setdefault(row["tag"], Tag.objects.get(name=row["tag"]))  # expect: queryset-in-loop
        print(tag.name)


def checked_but_not_stored(rows):
    seen = {}
    for row in rows:
        if row["tag"] not in seen:
            print(Tag.objects.get(name=row["tag"]).name)  # expect: queryset-in-loop


def cached_with_created_flag(names):
    # The cache entry is one target of the unpacking.
    tags = {}
    for name in names:
        if name not in tags:
            tags[name], created = Tag.objects.get_or_create(name=name)
        print(tags[name].name)


def cached_with_not_in(rows):
    # `not K in D` is `not (K in D)`: the same memo as `K not in D` (Shuup's taxes report).
    tag_map = {}
    for row in rows:
        if not row["tag"] in tag_map:
            tag_map[row["tag"]] = Tag.objects.get(name=row["tag"])
        print(tag_map[row["tag"]].name)


def cache_around_the_loop(key, rows):
    # The memoizing if is around the loop: each key runs the whole loop, one query per row.
    cache = {}
    if key not in cache:
        cache[key] = [Tag.objects.get(name=row["tag"]) for row in rows]  # expect: queryset-in-loop
    return cache[key]


def preloaded_or_fetched(page, pks):
    # The page's authors are loaded beforehand: the query serves a key missing from them (Review Board's thumbnails).
    for pk in pks:
        try:
            author = page.authors_by_id[pk]
        except KeyError:
            try:
                author = Author.objects.get(pk=pk)
            except Author.DoesNotExist:
                continue
        print(author.name)


def memo_on_miss(pks):
    cache = {}
    for pk in pks:
        try:
            author = cache[pk]
        except KeyError:
            author = cache[pk] = Author.objects.get(pk=pk)
        print(author.name)


def empty_dict_no_store(pks):
    # A local dict nobody fills: every key misses, one query per item.
    found = {}
    for pk in pks:
        try:
            author = found[pk]
        except KeyError:
            author = Author.objects.get(pk=pk)  # expect: queryset-in-loop
        print(author.name)


def lazily_loaded(pks, author=None, author_id=None):
    # The author is fetched the first time it is needed and kept: one query at most (Arches' datatype validation).
    for pk in pks:
        if not author:
            author = Author.objects.get(pk=author_id)
        print(pk, author.name)


def reloaded_each_time(pks, author_id):
    # The loop clears it again: one query per item.
    author = None
    for pk in pks:
        if author is None:
            author = Author.objects.get(pk=author_id)  # expect: queryset-in-loop
        print(pk, author.name)
        author = None
