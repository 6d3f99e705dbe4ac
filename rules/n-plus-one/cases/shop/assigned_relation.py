from .models import Book


def reassign_editors(editor):
    # book.author is loaded to set its publisher: the fix joins author, not author__publisher, which is only set
    # (Kitsune's fix_tb_basedon).
    for book in Book.objects.filter(editor=editor):
        book.author.publisher = editor.publisher  # expect: n-plus-one
        book.author.save()
