"""A prefetch of a reverse relation goes through the related model's default manager class, joins included."""
from django.db import models


class Board(models.Model):
    name = models.CharField(max_length=100)


class Poster(models.Model):
    name = models.CharField(max_length=100)


class PinManager(models.Manager):
    def get_queryset(self):
        return super().get_queryset().select_related("poster")


class Pin(models.Model):
    board = models.ForeignKey(Board, on_delete=models.CASCADE, related_name="pins")
    poster = models.ForeignKey(Poster, on_delete=models.CASCADE)

    objects = PinManager()


class Note(models.Model):
    board = models.ForeignKey(Board, on_delete=models.CASCADE, related_name="notes")
    poster = models.ForeignKey(Poster, on_delete=models.CASCADE)

    objects = models.Manager()
    joined = PinManager()


def board_pins():
    # PinManager.get_queryset() joins poster for the prefetch too.
    for board in Board.objects.prefetch_related("pins"):
        for pin in board.pins.all():
            print(pin.poster.name)


def board_notes():
    # Note's default manager is the plain one: the prefetch joins nothing.
    for board in Board.objects.prefetch_related("notes"):
        for note in board.notes.all():
            print(note.poster.name)  # expect: n-plus-one
