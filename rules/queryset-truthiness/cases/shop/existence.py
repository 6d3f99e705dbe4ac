from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.shortcuts import get_object_or_404

from .models import Author, Book, Tag


def validate_tag(tag_id):
    try:
        Tag.objects.get(id=tag_id)  # expect: queryset-truthiness
    except Tag.DoesNotExist:
        raise ValidationError("Tag does not exist")


def unique_title(title):
    try:
        Book.objects.get(title=title)  # expect: queryset-truthiness
    except Book.DoesNotExist:
        return True
    else:
        return False


def has_tag(pk, name):
    book = get_object_or_404(Book, pk=pk)
    try:
        book.tags.get(name=name)  # expect: queryset-truthiness
    except ObjectDoesNotExist:
        return False
    return True


async def author_exists(email):
    try:
        await Author.objects.aget(email=email)  # expect: queryset-truthiness
    except Author.DoesNotExist:
        return False
    return True


def result_used(title):
    try:
        book = Book.objects.get(title=title)
    except Book.DoesNotExist:
        return None
    return book.price


def unknown_receiver(source, name):
    # `source` could be anything and the handler names no model.
    try:
        source.get(name=name)
    except ObjectDoesNotExist:
        return False
    return True


def no_handler(title):
    # Raises to the caller on purpose: not a plain test.
    Book.objects.get(title=title)
    return True


def other_handler(settings, key):
    try:
        settings.get(key)
    except KeyError:
        pass


def per_item(titles):
    # One query per title: queryset-in-loop's business.
    for title in titles:
        try:
            Book.objects.get(title=title)
        except Book.DoesNotExist:
            print(title)


def one_account_per_email(email):
    # The get() also checks that one row has this email: exists() cannot tell one from two.
    try:
        Author.objects.get(name=email)
    except Author.DoesNotExist:
        return None
    except Author.MultipleObjectsReturned:
        raise ValidationError("several accounts share this email")
    return email
