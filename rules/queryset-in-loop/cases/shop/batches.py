from .models import Author, Book, Review


def chunks(items, size):
    for i in range(0, len(items), size):
        yield items[i:i + size]


def print_in_batches(pks):
    # One query per slice of 1000 keys, not per row.
    for i in range(0, len(pks), 1000):
        batch = Book.objects.filter(pk__in=pks[i:i + 1000])
        for book in batch.iterator():
            print(book.title)


def readd(to_add):
    for chunk in chunks(list(Book.objects.values_list("pk", flat=True)), 1000):
        wanted = to_add.intersection(set(chunk))
        books = Book.objects.filter(pk__in=wanted)
        for book in books:
            print(book.title)


def grouped(limit_map):
    # One query per group of keys.
    for limit, values in limit_map.items():
        ids = [v[0] for v in values]
        reviews = Review.objects.filter(book_id__in=ids)[:limit]
        for review in reviews:
            print(review.rating)


def a_collection_per_row(book_ids_of):
    # The keys come from each row: one query per author.
    for author in Author.objects.all():
        reviews = Review.objects.filter(book_id__in=book_ids_of(author))
        for review in reviews:  # expect: queryset-in-loop
            print(review.rating)


def one_key_as_a_list(pks):
    for pk in pks:
        books = Book.objects.filter(pk__in=[pk])
        for book in books:  # expect: queryset-in-loop
            print(book.title)


def grouped_by_generator(groups):
    # The keys of each group, collected by a generator: one query per group.
    for kind, items in groups:
        ids = set(o.pk for o in items)
        reviews = Review.objects.filter(rating=kind, book_id__in=ids)
        for review in reviews:
            print(review.rating)


def reset_stock_in_batches(batch_size):
    # A flag loop over offset batches: one query per batch, ended by the flag instead of a break.
    offset, stop = 0, False
    while stop is not True:
        ids = list(Book.objects.values_list("id", flat=True).order_by("id")[offset:offset + batch_size])
        if not ids:
            stop = True
            continue
        print(len(ids))
        offset += batch_size


def drain_titles(send):
    # The condition counts the rows left; each pass takes a slice of 100, sends it and deletes it.
    while Book.objects.count() != 0:
        batch = Book.objects.all()[:100]
        send([b.title for b in batch])
        Book.objects.filter(pk__in=[b.pk for b in batch]).delete()


def drain_one_by_one(send):
    # One row per pass: the condition's query runs once per row.
    while Book.objects.exists():
        book = Book.objects.first()  # expect: queryset-in-loop
        send(book.title)
        book.delete()


def in_bulk_per_page(items, page=500):
    # in_bulk() of one page of keys: the same query as filter(pk__in=page).
    for start in range(0, len(items), page):
        batch = items[start:start + page]
        books = Book.objects.in_bulk([item.pk for item in batch])
        print(len(books))


def in_bulk_per_row(authors):
    for author in authors:
        books = Book.objects.in_bulk([author.pk])  # expect: queryset-in-loop
        print(len(books))


def id_windows(first_id, last_id, size=100_000):
    # One window of ids per iteration: batching by key range.
    for window_start in range(first_id, last_id, size):
        window_end = window_start + size
        sample = Book.objects.filter(id__gte=window_start, id__lt=window_end).first()
        if sample is None:
            break
        print(sample.title)


def date_range_windows(day0, days):
    for offset in range(days):
        print(Sale.objects.filter(book__created__range=(day0 + offset, day0 + offset + 1)).count())


def window_per_row(books):
    # Each row's own bounds: one query per row, not a walk over the key space.
    for book in books:
        print(Sale.objects.filter(quantity__gte=book.pk, quantity__lt=book.pk + 10).count())  # expect: queryset-in-loop


def print_flushed(lines):
    # Accumulate and flush: one query per 500 keys.
    buffer = []
    for line in lines:
        buffer.append(int(line))
        if len(buffer) >= 500:
            for book in Book.objects.filter(pk__in=buffer):
                print(book.title)
            buffer = []


def print_each_line(lines):
    # The list grows, but the query is not under its flush: one query per line.
    seen = []
    for line in lines:
        seen.append(line)
        print(Book.objects.filter(title=line).count())  # expect: queryset-in-loop


def faces_by_page(ids):
    # Pages of 100 keys, cut before the loop and taken by the loop's counter: one query per page (LibrePhotos'
    # face classifier).
    pages = [ids[i : i + 100] for i in range(0, len(ids), 100)]
    for idx in range(len(pages)):
        page = pages[idx]
        reviews = Review.objects.filter(id__in=page)
        for review in sorted(reviews, key=lambda r: page.index(r.id)):
            print(review.rating)
