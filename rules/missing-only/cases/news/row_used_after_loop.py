# the loop variable outlives the loop. Here the last row is returned after the loop and its
# body is read, so the row escapes; with the suggested .only("title") (marked safe) Django would run one more
# query to load the deferred body. Iteration.escapes only looks at the loop body; uses of the target name after
# the loop (in the same scope, before it is rebound) should count as an escape. Expected: no missing-only.
from .models import Article


def latest_body():
    for article in Article.objects.order_by("created"):
        print(article.title)
    return article.body
