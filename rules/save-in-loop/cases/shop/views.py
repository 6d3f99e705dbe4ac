from django.db.models import F

from .models import Attachment, Author, Book, Review, Tag


def reprice(rate):
    for book in Book.objects.filter(stock__gt=0):
        book.price = book.price * rate
        book.save()  # expect: save-in-loop


def import_tags(names):
    for name in names:
        tag = Tag(name=name)
        tag.save()  # expect: save-in-loop


def purge(pks):
    for pk in pks:
        Review.objects.get(pk=pk).delete()  # expect: save-in-loop


def bump(pks):
    for pk in pks:
        Book.objects.filter(pk=pk).update(stock=F("stock") + 1)  # expect: save-in-loop


def clear_reviews(authors):
    for author in Author.objects.all():
        for book in author.book_set.all():
            book.reviews.all().delete()  # expect: save-in-loop


def comprehension():
    return [b.save() for b in Book.objects.all()]  # expect: save-in-loop


async def asave_each():
    async for book in Book.objects.all():
        book.stock = 0
        await book.asave()  # expect: save-in-loop


def while_loop(queue):
    while queue:
        review = Review.objects.get(pk=queue.pop())
        review.rating = 0
        review.save(update_fields=["rating"])  # expect: save-in-loop


def updates_rows_of_a_model_with_hooks(shelf_ids):
    # update() skips save() and signals whether it runs per row or once: the hooks of Shelf do not matter.
    from .models import Shelf

    for pk in shelf_ids:
        Shelf.objects.filter(pk=pk).update(name="x")  # expect: save-in-loop


def renames_chapters():
    # Chapter's save() (from Sortable) acts on new rows only: bulk_update() of loaded rows skips nothing.
    from .models import Chapter

    for chapter in Chapter.objects.all():
        chapter.title = chapter.title.strip()
        chapter.save()  # expect: save-in-loop


def hide_attachments(book):
    # A file field's name, not a new file: nothing to store, bulk_update() serves.
    for attachment in Attachment.objects.filter(book=book):
        attachment.private = True
        attachment.save()  # expect: save-in-loop


def restock_priced(price, stock):
    # A price is not unique: one UPDATE per matching book.
    for book in Book.objects.filter(price=price):
        book.stock = stock
        book.save()  # expect: save-in-loop
