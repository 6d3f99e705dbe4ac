from .models import Article, Post


def headlines():
    for article in Article.objects.filter(status="published").order_by("-created")[:10]:  # expect: missing-only
        print(article.title)


def slugs():
    return {a.slug for a in Article.objects.all()}  # expect: missing-only


def published_titles():
    posts = Post.published.order_by("-views")  # expect: missing-only
    for post in posts:
        yield post.title


def total_views():
    total = 0
    for article in Article.objects.filter(status="published"):  # expect: missing-only
        total += article.views
    return total
