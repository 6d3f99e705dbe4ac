# With .iterator(chunk_size=...) Django (4.1+) runs prefetch_related per chunk: the prefetch fix is safe there and
# leaves the iterator() call as it is.
from .models import Author


def prefetch_on_chunked_iterator(request):
    for author in Author.objects.iterator(chunk_size=500):
        print([b.title for b in author.book_set.all()])  # expect: n-plus-one

