# with .iterator(chunk_size=...) Django (4.1+) runs prefetch_related per chunk, so the
# prefetch_related fix is safe there. The engine marks it unsafe for every .iterator(), chunk_size or not, so the
# fix-all snapshot would leave this line alone. Move into shop/ (and views.py.fixed) once Origin.iterator only
# records iterator() calls without chunk_size.
from .models import Author


def prefetch_on_chunked_iterator(request):
    for author in Author.objects.iterator(chunk_size=500):
        print([b.title for b in author.book_set.all()])  # expect: n-plus-one

