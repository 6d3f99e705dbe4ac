from datetime import datetime, timedelta

from django.utils import timezone

from .models import Author, Book, Export


def restock(book_id, deliveries):
    # The same row saved once per delivery: bulk_update() of one object is no fix; one save after the loop is.
    book = Book.objects.get(pk=book_id)
    for delivery in deliveries:
        book.stock += delivery.quantity
        book.save(update_fields=["stock"])  # expect: save-in-loop


def rename_each(names):
    for name in names:
        author = Author.objects.get(name=name)
        author.name = name.title()
        author.save()  # expect: save-in-loop


def per_file(paths):
    for path in paths:
        with open(path) as fh:
            book = Book.objects.get(title=fh.read())
        book.save()  # expect: save-in-loop


def export_books(job_id, batches):
    # A heartbeat: the job row is stamped once per batch so a watchdog can tell the export is alive.
    job = Export.objects.get(pk=job_id)
    for batch in batches:
        write_rows(batch)
        job.modified_on = timezone.now()
        job.save(update_fields=["modified_on"])


def export_with_progress(job_id, books):
    # A progress record the page polls while the export runs.
    job = Export.objects.get(pk=job_id)
    done = 0
    for book in books:
        done += 1
        write_rows([book])
        job.progress_current = done
        job.save()


def classify(job_id, books):
    # Saved at most every five seconds.
    job = Export.objects.get(pk=job_id)
    commit_time = datetime.now() + timedelta(seconds=5)
    for idx, book in enumerate(books):
        write_rows([book])
        if commit_time < datetime.now():
            job.result = idx + 1
            job.save()
            commit_time = datetime.now() + timedelta(seconds=5)


def tally(job_id, books):
    # A running total saved on every row is not progress: save it once after the loop.
    job = Export.objects.get(pk=job_id)
    for book in books:
        job.result += book.stock
        job.modified_on = timezone.now()
        job.save()  # expect: save-in-loop


def write_rows(rows):
    return len(rows)


def download(export_id, chunks, total):
    # One row the loop does not choose, given its progress: a progress record read while the download runs.
    done = 0
    for chunk in chunks:
        done += len(chunk)
        Export.objects.filter(pk=export_id).update(progress_current=done * 100 // total)


def tally(export_id, chunks):
    # The same row, given a result each pass: one update after the loop would do.
    for chunk in chunks:
        Export.objects.filter(pk=export_id).update(result=len(chunk))  # expect: save-in-loop


def progress_per_export(exports):
    # A different row each pass: one UPDATE per export.
    for export in exports:
        Export.objects.filter(pk=export.pk).update(progress_current=100)  # expect: save-in-loop


def download_by_code(code, chunks):
    # The same one row, found by a unique column: a progress record too.
    for n, chunk in enumerate(chunks):
        Export.objects.filter(code=code).update(progress_current=n)
