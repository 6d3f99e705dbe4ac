from .models import Author, Book, Review


class Event:
    DELETE = "delete-user"


def search(kinds, text):
    # One branch per kind of result: each query runs once per distinct kind, not once per row.
    out = {}
    for kind in kinds:
        if kind == "book":
            out[kind] = list(Book.objects.filter(title__icontains=text)[:10])
        elif kind in ("author", "writer"):
            out[kind] = Author.objects.filter(name__icontains=text).count()
        elif "review" == kind:
            out[kind] = [r.pk for r in Review.objects.filter(text__icontains=text)[:10]]
    return out


def per_author_with_a_condition(authors):
    # A condition on something else than the loop variable: still one query per author.
    out = {}
    for author in authors:
        if author.name:
            out[author.pk] = Book.objects.filter(author=author).count()  # expect: queryset-in-loop
    return out


def backfill(batch_size=500):
    # Keyset batching: one query per batch is the point.
    while True:
        books = list(Book.objects.filter(price__isnull=True).order_by("pk")[:batch_size])
        if not books:
            break
        for book in books:
            book.price = 0
        Book.objects.bulk_update(books, ["price"])


def polls(names):
    # Not batching: the queryset iterated is not sliced (the slice is of a list), so each pass runs a full query.
    while names:
        batch, names = names[:1], names[1:]
        for book in Book.objects.filter(title__startswith=batch[0]):  # expect: queryset-in-loop
            print(book.title)
        if not names:
            break


def chained_passes(fetch):
    # A counter that only rises: the branch for pass 0 runs once.
    depth = -1
    seen = set()
    while depth < 10:
        depth += 1
        if depth == 0:
            seen |= set(Book.objects.values_list("title", flat=True))
        seen |= set(fetch(depth))
        if depth >= 5 and not seen:
            depth = 9
    return seen


def reset_passes(fetch):
    # The counter goes back to 0: the branch can run on any pass.
    depth = 0
    seen = set()
    while len(seen) < 100:
        depth += 1
        if depth == 1:
            seen |= set(Book.objects.values_list("title", flat=True))  # expect: queryset-in-loop
        if fetch(depth):
            depth = 0
    return seen


def filter_from_keys(filt):
    # A name derived from each key by string methods: each branch runs once per key prefix.
    dfilter = {}
    for key in filt:
        parts = key.split("__")
        if parts[0] == "author_id":
            dfilter["author"] = Author.objects.get(id=filt[key])
        elif parts[0] == "book_id":
            dfilter["book"] = Book.objects.get(id=filt[key])
    return dfilter


def events_by_id(events, author):
    for long_id, event in events.items():
        short_id = long_id.replace("urn:event:", "")
        if author and short_id == Event.DELETE:
            Book.objects.get_or_create(author=author, title=short_id)


def per_label(labels):
    stack = list(labels)
    while stack:
        label = stack.pop()
        match label:
            case "books":
                print(Book.objects.count())
            case "authors" | "writers":
                print(Author.objects.count())


def per_row_kind(books):
    # The attribute of each row: many rows share a kind.
    for book in books:
        if book.title == "draft":
            print(Author.objects.get(pk=book.author_id).name)  # expect: queryset-in-loop


def per_row_case(books):
    for book in books:
        match book.title:
            case "draft":
                print(Author.objects.get(pk=book.author_id).name)  # expect: queryset-in-loop
