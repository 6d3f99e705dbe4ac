from django.shortcuts import render

from .models import Article, Author, Page, Tag


def notify(article):
    print(article)


def row_passed_to_a_function():
    for article in Article.objects.all():
        notify(article)


def row_appended():
    out = []
    for article in Article.objects.all():
        out.append(article)
    return out


def row_method_called():
    for article in Article.objects.all():
        print(article.title, article.get_absolute_url())


def row_saved():
    for article in Article.objects.filter(status="draft"):
        article.status = "published"
        article.save()


def row_yielded():
    for article in Article.objects.all():
        yield article


def queryset_in_template_context(request):
    articles = Article.objects.filter(status="published")
    for article in articles:
        print(article.title)
    return render(request, "news/list.html", {"articles": articles})


def queryset_used_again():
    articles = Article.objects.all()
    for article in articles:
        print(article.title)
    return articles.count()


def already_only():
    for article in Article.objects.only("title"):
        print(article.title)


def already_deferred():
    for article in Article.objects.defer("body", "metadata"):
        print(article.title)


def values_rows():
    for row in Article.objects.values("title"):
        print(row["title"])
    for title in Article.objects.values_list("title", flat=True):
        print(title)


def many_fields_read():
    for a in Article.objects.all():
        print(a.title, a.slug, a.summary, a.status, a.views)


def property_read():
    for article in Article.objects.all():
        print(article.title, article.is_popular)


def narrow_model():
    for tag in Tag.objects.all():
        print(tag.name)


def unknown_origin(articles):
    for article in articles:
        print(article.title)


def related_manager_rows(author: Author):
    for article in author.articles.all():
        print(article.title)



def reads_a_generic_foreign_key():
    from .models import Mention

    for mention in Mention.objects.all():
        print(mention.kind, mention.target)


def reads_plain_columns_of_the_same_model():
    from .models import Mention

    for mention in Mention.objects.all():  # expect: missing-only
        print(mention.kind)


class ArticleViewSet:
    # The class-level queryset serves every action of the view (list, detail, edit): only() here would defer the
    # columns the others read.
    queryset = Article.objects.all()

    def get_queryset(self):
        return self.queryset.all()

    def titles(self, request):
        return [article.title for article in self.get_queryset()]

    def headlines(self, request):
        for article in self.queryset:
            print(article.title)


class ArticleEmailView:
    # get_queryset() is shared: the framework and the base class's table read other columns of the same rows.
    def get_queryset(self):
        return Article.objects.filter(title__startswith="A")

    def subjects(self):
        return [article.title for article in self.get_queryset()]


class Digest:
    # A helper method called once, for this loop only: its queryset is this loop's.
    def recent(self):
        return Article.objects.filter(title__startswith="B")  # expect: missing-only

    def send(self):
        for article in self.recent():
            print(article.title)


def first_of_duplicates(**criteria):
    # The first row leaves the function through an index, and its caller reads other columns.
    articles = Article.objects.filter(**criteria).order_by("id")
    if articles:
        first = articles[0]
        for other in articles[1:]:
            if other.title != first.title:
                raise ValueError("duplicates differ")
        return first
    return None


def purge_articles(ids):
    # Deleting the same queryset after the loop reads no column: only() still fits the loop.
    articles = Article.objects.filter(pk__in=ids)  # expect: missing-only
    titles = [article.title for article in articles.using("replica")]
    articles.delete()
    return titles


def page_titles():
    # The manager defers columns already: another only() on top is the manager author's call.
    for page in Page.objects.filter(status="published"):
        print(page.title)


def title_sheet(write, build_report):
    # Also handed to another function, and counted: the other use may need every column.
    articles = Article.objects.filter(status="published")
    report = build_report(columns=articles)
    for i, article in enumerate(articles):
        write(i, article.title)
    return report, len(articles)


def derived_from_a_shared_name(author):
    # only("title") where `articles` is built would narrow the first loop's rows too (it reads body).
    articles = Article.objects.filter(status="published")
    for article in articles:
        print(article.title, article.body)
    by_author = articles.filter(author=author)
    for article in by_author:
        print(article.title)


def derived_once(author):
    articles = Article.objects.filter(status="published")  # expect: missing-only
    by_author = articles.filter(author=author)
    for article in by_author:
        print(article.title)


def titles_logged_with_locals():
    # locals() hands the row to format(), which may read any of its columns (Arches' ontology check).
    for article in Article.objects.filter(status="published"):
        print(article.title)
        print("{article.body} by {article.author}".format(**locals()))
