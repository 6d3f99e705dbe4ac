from .models import Article, Event, Post


def titles():
    for article in Article.objects.filter(status="published"):  # expect: missing-only
        print(article.title)


def titles_and_slugs():
    articles = Article.objects.order_by("-created")  # expect: missing-only
    for article in articles:
        print(article.title, article.slug)


def with_foreign_key_column():
    for article in Article.objects.all():  # expect: missing-only
        print(article.title, article.author_id, article.views)


def with_relation():
    for article in Article.objects.select_related("author"):  # expect: missing-only
        print(article.title, article.author.name)


def comprehension():
    return [a.slug for a in Article.objects.filter(status="draft")]  # expect: missing-only


def multi_line_chain():
    articles = (
        Article.objects  # expect: missing-only
        .filter(status="published")
        .order_by("-views")[:20]
    )
    for article in articles:
        print(article.title, article.views)


def narrow_model_with_unused_text():
    for event in Event.objects.order_by("starts"):  # expect: missing-only
        print(event.name, event.starts)


def custom_manager():
    for post in Post.published.all():  # expect: missing-only
        print(post.title)


def enumerated():
    for i, article in enumerate(Article.objects.all()):  # expect: missing-only
        print(i, article.title)


def attribute_methods_are_reads():
    for article in Article.objects.all():  # expect: missing-only
        print(article.title.upper(), f"{article.created:%Y-%m-%d}")


def tally_total():
    from .models import Tally

    total = 0
    for tally in Tally.objects.filter(kind="A"):
        total += tally.count
    return total


def article_views_total():
    from .models import Article

    return sum(a.views for a in Article.objects.filter(status="published"))  # expect: missing-only


def preview_filters(ids):
    # Reads the large column: the three small ones left are not worth a narrower SELECT.
    from .models import SavedFilter

    for saved in SavedFilter.objects.filter(pk__in=ids):
        print(saved.rules)


def filter_names(ids):
    # Leaves the large column unread: worth only().
    from .models import SavedFilter

    for saved in SavedFilter.objects.filter(pk__in=ids):  # expect: missing-only
        print(saved.name)
