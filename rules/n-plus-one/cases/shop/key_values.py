from .models import Book, Review, Shelf


def shelves_of_authors():
    # The author is loaded only to be compared: its key compares the same with no query (Tabbycat's ballot compare).
    for book in Book.objects.all():
        print(Shelf.objects.filter(owner=book.author).count())  # expect: n-plus-one


def copy_reviews(book_ids):
    # Handed to create() as a field value: the key sets the same column.
    for review in Review.objects.filter(book_id__in=book_ids):
        Review.objects.create(book=review.book, reviewer=review.reviewer, rating=review.rating)  # expect: n-plus-one


def shelves_named_for(book_ids):
    # The author is read again for its name: it has to be loaded, the join stays the advice.
    for book in Book.objects.filter(pk__in=book_ids):
        print(Shelf.objects.filter(owner=book.author).count(), book.author.name)  # expect: n-plus-one
