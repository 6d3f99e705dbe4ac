"""A prefetch of a reverse relation goes through the related model's default manager class, joins included."""
from django.db import models
from model_utils.managers import InheritanceManager


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


class PinnedBoardManager(models.Manager):
    def get_queryset(self):
        return super().get_queryset().prefetch_related("pins")


class PinnedBoard(models.Model):
    name = models.CharField(max_length=100)
    pins = models.ManyToManyField(Pin, related_name="pinned_boards")

    objects = PinnedBoardManager()


def pinned_boards():
    # The board's manager prefetches pins, and that prefetch goes through PinManager, which joins poster.
    for board in PinnedBoard.objects.all():
        for pin in board.pins.all():
            print(pin.poster.name)


class TypedManager(InheritanceManager):
    """A package's manager (model_utils): a manager all the same, its get_queryset() read up to the package."""

    def get_queryset(self):
        return super().get_queryset().select_related("poster").select_subclasses()


class Sticker(models.Model):
    board = models.ForeignKey(Board, on_delete=models.CASCADE)
    poster = models.ForeignKey(Poster, on_delete=models.CASCADE)

    objects = TypedManager()


class PlacedStickerManager(TypedManager):
    def get_queryset(self):
        # super()'s joins stay; the chain is laid out in parentheses.
        return (
            super().get_queryset()
            .select_related("board")
        )


class PlacedSticker(Sticker):
    objects = PlacedStickerManager()


def stickers():
    for sticker in PlacedSticker.objects.all():
        print(sticker.poster.name, sticker.board.name)
