# QuerySet.select_related() with no arguments follows only non-null ForeignKey /
# OneToOneField fields (Django docs: "follow all non-null foreign keys"); nullable forward relations and reverse
# one-to-ones are still loaded lazily. The engine's Loaded.allSingles treats every single-valued relation as
# joined, so both lines below are silent. Move into shop/ once allSingles skips null=True and reverse-o2o fields.
from .models import Author, Book


def select_related_without_arguments_skips_nullable(request):
    for book in Book.objects.select_related():
        print(book.author.name, book.editor.name)  # expect: n-plus-one


def select_related_without_arguments_skips_reverse_one_to_one(request):
    for author in Author.objects.select_related():
        print(author.profile.website)  # expect: n-plus-one
