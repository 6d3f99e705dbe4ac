"""Locate every planted problem by the unique comment directly above it; emit EXPECTED.tsv rows."""
import sys
import os
ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "example") + "/"
# (file, unique comment text, rule, token that must be on the flagged line)
SPECS = [
    ("catalog/views.py", "# N+1: author is not joined, so every row", "n-plus-one", "book.author.name"),
    ("catalog/views.py", "# N+1: the reverse FK book_set", "n-plus-one", "a.book_set.all()"),
    ("catalog/views.py", "# N+1: tags are not prefetched", "n-plus-one", "book.tags.all()"),
    ("catalog/views.py", "# N+1: only author is joined", "n-plus-one", "book.author.publisher.name"),
    ("catalog/views.py", "# N+1: recent_books() builds", "n-plus-one", "book.author.name"),
    ("catalog/views.py", "# N+1: author is not joined (in async code", "n-plus-one", "book.author.name"),
    ("catalog/views.py", "# N+1: author is not joined (in async code", "async-lazy-load", "book.author.name"),
    ("catalog/views.py", "# query in loop: one COUNT query per author", "queryset-in-loop", "author.book_set.count()"),
    ("catalog/views.py", "# query in loop: one EXISTS query per author", "queryset-in-loop", ".exists()"),
    ("orders/views.py", "# query in loop: one SELECT per cart item", "queryset-in-loop", "Edition.objects.get("),
    ("orders/views.py", "# query in loop that does not depend on the item", "queryset-in-loop", "Setting.objects.get("),
    ("orders/views.py", "# query in loop: one INSERT per line", "queryset-in-loop", "OrderLine.objects.create("),
    ("catalog/views.py", "# (full_text, metadata, ...) is loaded", "missing-only", "editions = Edition.objects.filter("),
    ("catalog/views.py", "# Over-fetching: only rating and book are read", "missing-only", "for review in Review.objects.all()[:20]:"),
    ("catalog/views.py", "# over-fetching: one field is read", "missing-only", "for edition in Edition.objects.filter("),
    ("catalog/views.py", "# cacheable: only reads", "cache-page-candidate", "def category_index("),
    ("catalog/views.py", "# cacheable: a GET-only class-based view", "cache-page-candidate", "class TagCloudView("),
    ("api/views.py", "# N+1: BookSerializer reads", "n-plus-one", "queryset = Book.objects.all()"),
    ("api/views.py", "# unbounded list: no pagination_class", "unpaginated-list", "class BookViewSet("),
    ("api/serializers.py", "# one COUNT query per serialized book", "serializer-method-query", "obj.reviews.count()"),
    ("blog/views.py", "# unbounded list: no paginate_by", "unpaginated-list", "class PostListView("),
    ("catalog/templates/catalog/book_list.html", "{# N+1: the view's queryset", "n-plus-one", "book.author.name"),
    ("orders/views.py", "# len() fetches every order", "queryset-len", "len(mine)"),
    ("orders/views.py", "# truthiness fetches every pending order", "queryset-truthiness", "if pending:"),
    ("catalog/views.py", "# extra query: book.author.id", "fk-id", "book.author.id"),
    ("orders/views.py", "# one UPDATE per row", "save-in-loop", "order.save()"),
    ("blog/views.py", "# slow response: send_mail", "slow-call-in-view", "send_mail("),
    ("orders/models.py", "# Plain column, no index, yet a report filters on it.", "missing-index", "status = models.CharField("),
    ("blog/models.py", "# Missing index: Meta.ordering sorts every comment", "missing-index", "created_at = models.DateTimeField("),
]
rows, ok = [], True
for path, comment, rule, token in SPECS:
    lines = open(ROOT + path).read().split("\n")
    hits = [i for i, l in enumerate(lines) if comment in l]
    if len(hits) != 1:
        print(f"!! {path}: comment {comment!r} found {len(hits)}x", file=sys.stderr); ok = False; continue
    n = hits[0] + 1  # 0-based index of the flagged line
    if token not in lines[n]:
        print(f"!! {path}:{n+1}: token {token!r} not in {lines[n]!r}", file=sys.stderr); ok = False
    rows.append((path, n + 1, rule, lines[n].strip()))
# sanity: the flagged line itself carries no annotation
for path, line, rule, text in rows:
    if "#" in text and not text.startswith("{#") and "N+1" in text:
        print("!! annotation on flagged line", path, line, file=sys.stderr); ok = False
order = {"n-plus-one": 0, "queryset-in-loop": 1, "missing-only": 2, "cache-page-candidate": 3}
if "--tsv" in sys.argv:
    for path, line, rule, _ in sorted(rows, key=lambda r: (r[0], r[1])):
        print(f"{path}\t{line}\t{rule}")
else:
    for path, line, rule, text in rows:
        print(f"| `{path}:{line}` | `{rule}` | `{text.replace('|', '&#124;')}` |")
sys.exit(0 if ok else 1)
