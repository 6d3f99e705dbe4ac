from django.db import IntegrityError
from django.db.models import F

from .models import Attachment, Author, Book, Review, Tag


def once(pk):
    book = Book.objects.get(pk=pk)
    book.stock = 0
    book.save()


def bulk(rate):
    books = list(Book.objects.filter(stock__gt=0))
    for book in books:
        book.price = book.price * rate
    Book.objects.bulk_update(books, ["price"])


def single_update():
    Book.objects.filter(stock=0).update(price=F("price") * 2)


def creates(names):
    # queryset-in-loop reports create() in a loop, not this rule
    for name in names:
        Tag.objects.create(name=name)


def unknown_objects(objs):
    for obj in objs:
        obj.save()


def forms(formset):
    for form in formset:
        form.save()


def iterable_only():
    for review in Review.objects.filter(rating=0).delete():
        print(review)


def nested_function(books):
    for book in books:
        def later():
            Book.objects.filter(pk=book).update(stock=0)
        yield later


def values_rows():
    for row in Book.objects.values("id"):
        row.save()


def new_instances_of_a_model_that_overrides_save(texts):
    from .models import AuditedNote

    for text in texts:
        note = AuditedNote(text=text)
        note.save()
    for text in texts:
        AuditedNote(text=text).save()


def new_instances_of_models_with_inherited_or_signal_hooks(names, books):
    from .models import Loan, Shelf

    for name in names:
        Shelf(name=name).save()
    for book in books:
        loan = Loan(book=book)
        loan.save()


def new_chapters(titles):
    # New rows do run Sortable.save(): bulk_create() would skip the numbering.
    from .models import Chapter

    for title in titles:
        Chapter(title=title).save()


def first_match_only(books, title):
    # The save is followed by break: it runs once, for the first match.
    for book in books.filter(stock=0):
        if book.title.startswith(title):
            book.stock = 1
            book.save()
            break


def drop_first_duplicate(name):
    # Other statements sit between the save and the return: it still runs once.
    for author in Author.objects.filter(name__startswith=name):
        if author.name == name:
            author.name = name.title()
            author.save()
            print("renamed", name)
            return False
    return True


def purge_private_attachments(book):
    from django.db import models as m

    from .models import Attachment

    # delete() comes from a mixin that removes the file: a queryset delete would skip it.
    for attachment in Attachment.objects.filter(m.Q(book=book) | m.Q(book__title=""), private=True).distinct():
        attachment.delete()


def rename_tags(renames):
    # The batch failed on a duplicate name: the handler steps through it one row at a time to find which one.
    tags = [Tag(id=pk, name=name) for pk, name in renames]
    try:
        Tag.objects.bulk_update(tags, ["name"])
    except IntegrityError:
        for tag in tags:
            Tag.objects.filter(pk=tag.id).update(name=tag.name)


def rebuild_reviews(books, score):
    # One transaction per book: its reviews are deleted and rebuilt together, each book committed on its own.
    from django.db import transaction

    for book in books:
        with transaction.atomic():
            Review.objects.filter(book=book).delete()
            Review.objects.create(book=book, rating=score(book))


def regenerate_attachments(book, render):
    # save() writes each new file to storage (FieldFile.pre_save): bulk_update() would skip that and store a name
    # with no file behind it.
    from django.core.files.base import ContentFile

    for attachment in Attachment.objects.filter(book=book):
        attachment.attachment = ContentFile(render(attachment), "out.pdf")
        attachment.save()


def restock_one(pk, stock):
    # The loop reads one row at most: the queryset is filtered on the primary key (Arches' node group export flag).
    books = Book.objects.select_for_update().filter(pk=pk)
    for book in books:
        book.stock = stock
        book.save()
