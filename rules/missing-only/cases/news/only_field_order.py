# the fields of the suggested .only(...) come out in
# reverse source order, because Iteration.reads is filled by a depth-first walk that pops siblings last-first.
# news/views.py has no .fixed snapshot for multi-field reads for that reason; single_field.py.fixed covers the
# fix. Expected after fix-all, in the order the loop reads them:
from .models import Article


def with_foreign_key_column():
    for article in Article.objects.only("title", "author", "views").all():
        print(article.title, article.author_id, article.views)

