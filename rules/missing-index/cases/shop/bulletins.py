from django.shortcuts import render

from .models import Bulletin


def board(request):
    # Every bulletin, sorted: with no LIMIT the database sorts what it reads, and an index on posted is not used.
    return render(request, "board.html", {"bulletins": Bulletin.objects.order_by("-posted")})


def board_context(context):
    context["bulletins"] = Bulletin.objects.all().order_by("posted")
    for b in Bulletin.objects.order_by("-posted"):
        print(b.title)
    return sorted(Bulletin.objects.order_by("title"), key=len)


def pinned(request):
    # The first five in pinned order: an index on pinned_at serves it.
    return render(request, "board.html", {"bulletins": Bulletin.objects.order_by("-pinned_at")[:5]})
