from django.shortcuts import render

from .models import AudioBook, Author, AuthorProfile, Book, Publisher, Review, Tag


def forward_foreign_key(request):
    books = Book.objects.filter(published__isnull=False)
    for book in books:
        print(book.author.name)  # expect: n-plus-one
    return render(request, "shop/books.html")


def one_to_one(request):
    for profile in AuthorProfile.objects.all():
        print(profile.author.name)  # expect: n-plus-one


def reverse_one_to_one(request):
    for author in Author.objects.all():
        print(author.profile.website)  # expect: n-plus-one


def reverse_foreign_key_default_name(request):
    for author in Author.objects.order_by("name"):
        titles = [b.title for b in author.book_set.all()]  # expect: n-plus-one
        print(titles)


def reverse_foreign_key_related_name(request):
    for book in Book.objects.all():
        for review in book.reviews.all():  # expect: n-plus-one
            print(review.rating)


def many_to_many(request):
    for book in Book.objects.all():
        print(", ".join(t.name for t in book.tags.all()))  # expect: n-plus-one


def reverse_many_to_many(request):
    for tag in Tag.objects.all():
        print(list(tag.books.all()))  # expect: n-plus-one


def nested_path(request):
    books = Book.objects.select_related("author")
    for book in books:
        print(book.author.name)
        print(book.author.publisher.name)  # expect: n-plus-one


def abstract_base_foreign_key(request):
    for book in Book.objects.all():
        print(book.created_by.email)  # expect: n-plus-one


def multi_table_child(request):
    for audio in AudioBook.objects.all():
        print(audio.title, audio.narrator.name)  # expect: n-plus-one


def forward_key_with_plus_related_name(request):
    for review in Review.objects.all():
        print(review.reviewer.name)  # expect: n-plus-one


def multi_table_inherited_foreign_key(request):
    for audio in AudioBook.objects.filter(minutes__gt=60):
        print(audio.author.name)  # expect: n-plus-one


def reverse_foreign_key_count(request):
    for publisher in Publisher.objects.all():
        print(publisher.author_set.count())  # one COUNT per row: reported by queryset-in-loop, not here


def iterator_without_chunk_size(request):
    # The prefetch fix also writes chunk_size=2000 into iterator() (Django 5 rejects prefetch_related without it).
    for author in Author.objects.iterator():
        print([b.title for b in author.book_set.all()])  # expect: n-plus-one


async def async_for(request):
    async for book in Book.objects.filter(published__isnull=False):
        print(book.author.name)  # expect: n-plus-one


def manager_only_method(request):
    for review in Review.objects.rated(5):
        print(review.reviewer.name)  # expect: n-plus-one


def bare_select_related(request):
    # The bare select_related() follows non-null keys only; a named one before it is dropped, one after replaces it.
    for book in Book.objects.filter(title__startswith="A").select_related():
        print(book.editor.name)  # expect: n-plus-one
