from .models import Author


def titles_by_author():
    # iterator() without chunk_size rejects prefetch_related (Django 5): the fix adds chunk_size=2000 too.
    authors = Author.objects.filter(name__startswith="A")
    for author in authors.iterator():
        print([b.title for b in author.book_set.all()])  # expect: n-plus-one
