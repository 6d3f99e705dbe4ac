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


def board_by_name(request):
    # Held in a name that the view reads only whole (a truth test, a refinement looped over, the template context):
    # every row is read, so the ordering needs no index.
    bulletins = Bulletin.objects.order_by("posted")
    if not bulletins:
        return render(request, "empty.html", {})
    if request.GET.get("distinct"):
        bulletins = bulletins.distinct()
    for b in bulletins:
        print(b.title)
    return render(request, "board.html", {"bulletins": bulletins, "count": len(bulletins)})


def last_edited(request):
    # One use takes the first row: an index on edited serves that query.
    edits = Bulletin.objects.order_by("-edited")
    for b in edits:
        print(b.title)
    return render(request, "board.html", {"bulletins": edits, "latest": edits.first()})


def duplicate_titles():
    # A GROUP BY read whole, written across lines in parentheses: every row is grouped, no index serves the order.
    titles = (
        Bulletin.objects.values("title")
        .order_by("posted")
        .distinct()
    )
    return [t["title"] for t in titles]
