from .models import Article, Membership, Snapshot


def bylines():
    # The joined author must stay loaded: only() without it raises FieldError with select_related("author").
    for article in Article.objects.select_related("author").filter(status="published"):  # expect: missing-only
        print(article.title)


def members():
    # Membership.__init__ reads joined and authorized: they stay in only() (deferred, each would load per row,
    # through __init__ again: RecursionError).
    for m in Membership.objects.filter(project="x"):  # expect: missing-only
        print(m.member)


def snapshots():
    # Snapshot.__init__ reads its fields through getattr(): silent.
    for s in Snapshot.objects.all():
        print(s.a)
