import hashlib
import time

from django.utils.crypto import get_random_string

from .models import Book, Coupon


def book_for(title, candidates):
    # The query runs for the one candidate that matches, then the function returns.
    for name in candidates:
        if name == title:
            book = Book.objects.filter(title=name).first()
            print("found", name)
            return book
    return None


def first_stocked(titles):
    # One loop, left by break right after the query.
    found = None
    for title in titles:
        if title.startswith("A"):
            found = Book.objects.filter(title=title).first()
            break
    return found


def per_shelf(shelves):
    # The break leaves the inner loop only: one query per shelf.
    out = []
    for shelf in shelves:
        for title in shelf:
            out.append(Book.objects.filter(title=title).first())  # expect: queryset-in-loop
            break
    return out


def every_match(titles):
    # A return in another branch does not end the loop for this one.
    for title in titles:
        if not title:
            return None
        Book.objects.filter(title=title).exists()  # expect: queryset-in-loop
    return True


def free_code(book):
    # Retry until a random code is free: runs once in practice.
    book.code = get_random_string(8)
    while Book.objects.filter(title=book.code).exists():
        book.code = get_random_string(8)
    return book.code


def fresh_code():
    # Draw until the code is free, returning from inside the loop (frePPLe's APIKey.generateKey).
    while True:
        code = get_random_string(8)
        if not Book.objects.filter(title=code).exists():
            return code


def hashed_title(book):
    # Retry until a digest of the clock is free, through a name the body assigned first: runs once in practice.
    title = None
    while not title or Book.objects.filter(title=title).exists():
        digest = hashlib.md5(f"{book.pk}-{time.time()}".encode())
        title = digest.hexdigest()
    return title


def next_free_title(base):
    # Sequential probing: one query per taken title.
    n = 1
    title = base
    while Book.objects.filter(title=title).exists():  # expect: queryset-in-loop
        n += 1
        title = f"{base} {n}"
    return title



def next_listed(titles, choice):
    # A variable named choice is no random source: one query per taken title.
    title = titles[choice]
    while Book.objects.filter(title=title).exists():  # expect: queryset-in-loop
        choice += 1
        title = titles[choice]
    return title


def first_ingested(lines):
    # The lookup is in a try whose handler breaks, and the statements after the try break too.
    book = None
    for line in lines:
        if line.startswith("title:"):
            try:
                book = Book.objects.get(title=line[6:])
            except Book.DoesNotExist:
                print("not yet ingested")
                break
            book.code = "seen"
            break
    return book


def first_ingested_or_skip(lines):
    # A handler that continues goes on with the next line: one query per line until one is found.
    book = None
    for line in lines:
        try:
            book = Book.objects.get(title=line)  # expect: queryset-in-loop
        except Book.DoesNotExist:
            continue
        break
    return book


def first_ingested_checked(lines):
    # A continue between the query and the break skips the break.
    for line in lines:
        book = Book.objects.filter(title=line).first()  # expect: queryset-in-loop
        if book is None:
            continue
        return book
    return None


def make_code(length=8):
    return get_random_string(length)


def free_code_until_missing():
    # Draw until a code is not taken: the loop ends at the first missing row, which is almost always the first.
    while True:
        code = make_code()
        try:
            Book.objects.get(title=code)
        except Book.DoesNotExist:
            break
    return code


def next_code(n):
    return f"B-{n:04d}"


def probe_until_missing():
    # Sequential codes: one query per taken code.
    n = 0
    while True:
        n += 1
        code = next_code(n)
        try:
            Book.objects.get(title=code)  # expect: queryset-in-loop
        except Book.DoesNotExist:
            break
    return code


def free_coupon_code():
    # The same draw-until-free loop on a model whose manager is not read.
    while True:
        code = make_code()
        try:
            Coupon.objects.get(code=code)
        except Coupon.DoesNotExist:
            break
    return code


def coupons_for(codes):
    # One get() per code.
    found = []
    for code in codes:
        try:
            found.append(Coupon.objects.get(code=code))  # expect: queryset-in-loop
        except Coupon.DoesNotExist:
            pass
    return found


async def first_match(groups):
    # The query is in the return: it runs once.
    for group in groups:
        if len(group) > 2:
            return await Book.objects.filter(title=group[0]).afirst()
    return None


def first_match_or_raise(groups):
    for group in groups:
        if group:
            raise ValueError(Book.objects.get(title=group[0]))


def every_match(groups):
    for group in groups:
        yield Book.objects.filter(title=group[0]).first()  # expect: queryset-in-loop


def first_existing(titles):
    # A miss goes on to the next title: one query per title until one is found.
    for title in titles:
        try:
            return [Book.objects.get(title=title)]  # expect: queryset-in-loop
        except Book.DoesNotExist:
            pass
    return []


def first_existing_or_stop(titles):
    for title in titles:
        try:
            return [Book.objects.get(title=title)]
        except Book.DoesNotExist:
            raise ValueError(title)


def first_title_of_a_group(groups):
    # A miss breaks out of the inner loop only: the outer one goes on, one query per group.
    for group in groups:
        for title in group:
            try:
                return Book.objects.get(title=title)  # expect: queryset-in-loop
            except Book.DoesNotExist:
                break
    return None
