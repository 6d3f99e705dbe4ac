from .models import Note


def note_bylines():
    return [note.author.name for note in Note.objects.all()]  # expect: n-plus-one


def note_bylines_joined():
    return [note.author.name for note in Note.objects.select_related("author")]
