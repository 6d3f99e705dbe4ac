import socket

from .models import Author, Book


def connect(name):
    return socket.create_connection((name, 25))


def first_title():
    # The loop returns on its first row: one author is read, not one per book.
    for book in Book.objects.filter(title__startswith="A"):
        return book.author.name
    return None


def first_reachable():
    # The loop stops at the first book whose writer gets through; a failure (from connect(), not from the foreign
    # key) moves on to the next.
    for book in Book.objects.filter(title__startswith="A"):
        try:
            with connect(book.writer) as conn:
                return conn.read()
        except Exception:
            pass
    raise LookupError


def first_with_a_break():
    for book in Book.objects.filter(title__startswith="A"):
        try:
            name = book.author.name
            connect(name)
            break
        except Exception:
            continue


def first_or_each(flag):
    # The first read leaves the loop, a later one does not: one query per book for the rows that reach it (reported at
    # the first read of the path, as always).
    for book in Book.objects.filter(title__startswith="A"):
        if flag:
            return book.author.name  # expect: n-plus-one
        print(book.author.name)
    return None


def search(name):
    # A search: every book is read until the matching one.
    for book in Book.objects.filter(title__startswith="A"):
        if book.author.name == name:  # expect: n-plus-one
            return book
    return None


def first_profile():
    # A missing profile raises: the handler moves on to the next author, one query per author until one has it.
    for author in Author.objects.filter(name__startswith="A"):
        try:
            return author.profile.website  # expect: n-plus-one
        except Exception:
            pass
    return None
