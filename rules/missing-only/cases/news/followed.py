from .models import Article, Membership


def bylines():
    # The joined author must stay loaded: only() without it raises FieldError with select_related("author").
    for article in Article.objects.select_related("author").filter(status="published"):  # expect: missing-only
        print(article.title)


def members():
    # Membership.__init__ reads joined and authorized: deferring them would load them per row, through __init__
    # again (RecursionError).
    for m in Membership.objects.filter(project="x"):
        print(m.member)
