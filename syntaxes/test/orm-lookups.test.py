# SYNTAX TEST "source.python" "ORM lookup paths in select_related, prefetch_related, only, defer, values, values_list, order_by, Prefetch"

# A relation path: field segments and `__` separators, inside a string that stays a Python string.
qs = Book.objects.select_related("author__publisher")
#                 ^^^^^^^^^^^^^^ meta.function-call.python meta.orm-call.django-orm-hints meta.function-call.generic.python
#                               ^ meta.function-call.python punctuation.definition.arguments.begin.python
#                                ^ meta.function-call.arguments.python string.quoted.single.python meta.orm-lookup.django-orm-hints punctuation.definition.string.begin.python
#                                 ^^^^^^ string.quoted.single.python meta.orm-lookup.django-orm-hints entity.name.tag.orm-field.django-orm-hints
#                                       ^^ string.quoted.single.python meta.orm-lookup.django-orm-hints punctuation.separator.orm-lookup.django-orm-hints
#                                         ^^^^^^^^^ string.quoted.single.python meta.orm-lookup.django-orm-hints entity.name.tag.orm-field.django-orm-hints
#                                                  ^ string.quoted.single.python meta.orm-lookup.django-orm-hints punctuation.definition.string.end.python
#                                                   ^ meta.function-call.python punctuation.definition.arguments.end.python - meta.function-call.arguments.python

# Single quotes, several arguments.
qs.prefetch_related('tags', "author__books")
#                   ^ string.quoted.single.python meta.orm-lookup.django-orm-hints punctuation.definition.string.begin.python
#                    ^^^^ entity.name.tag.orm-field.django-orm-hints
#                        ^ string.quoted.single.python meta.orm-lookup.django-orm-hints punctuation.definition.string.end.python
#                         ^ punctuation.separator.arguments.python - meta.orm-lookup.django-orm-hints
#                           ^ punctuation.definition.string.begin.python
#                            ^^^^^^ entity.name.tag.orm-field.django-orm-hints
#                                  ^^ punctuation.separator.orm-lookup.django-orm-hints
#                                    ^^^^^ entity.name.tag.orm-field.django-orm-hints

# only / defer / values / values_list.
qs.only("title", "author__name").defer("body")
#  ^^^^ meta.orm-call.django-orm-hints meta.function-call.generic.python
#        ^^^^^ entity.name.tag.orm-field.django-orm-hints
#                 ^^^^^^ entity.name.tag.orm-field.django-orm-hints
#                       ^^ punctuation.separator.orm-lookup.django-orm-hints
#                         ^^^^ entity.name.tag.orm-field.django-orm-hints
#                               ^ meta.member.access.python punctuation.separator.period.python
#                                ^^^^^ meta.orm-call.django-orm-hints meta.function-call.generic.python
#                                       ^^^^ entity.name.tag.orm-field.django-orm-hints
qs.values("author__name").values_list("id", "title", flat=False, named=True)
#          ^^^^^^ entity.name.tag.orm-field.django-orm-hints
#                         ^^^^^^^^^^^ meta.orm-call.django-orm-hints meta.function-call.generic.python
#                                      ^^ entity.name.tag.orm-field.django-orm-hints
#                                            ^^^^^ entity.name.tag.orm-field.django-orm-hints
#                                                    ^^^^ meta.function-call.arguments.python variable.parameter.function-call.python
#                                                        ^ keyword.operator.assignment.python
#                                                         ^^^^^ constant.language.python
#                                                                ^^^^^ variable.parameter.function-call.python

# Final lookups and transforms get their own scopes.
qs.values("book__title__icontains", "tags__in", "rating__gte", "editor__isnull")
#          ^^^^ entity.name.tag.orm-field.django-orm-hints
#              ^^ punctuation.separator.orm-lookup.django-orm-hints
#                ^^^^^ entity.name.tag.orm-field.django-orm-hints
#                     ^^ punctuation.separator.orm-lookup.django-orm-hints
#                       ^^^^^^^^^ keyword.operator.orm-lookup.django-orm-hints
#                                    ^^^^ entity.name.tag.orm-field.django-orm-hints
#                                          ^^ keyword.operator.orm-lookup.django-orm-hints
#                                                ^^^^^^ entity.name.tag.orm-field.django-orm-hints
#                                                        ^^^ keyword.operator.orm-lookup.django-orm-hints
#                                                               ^^^^^^ entity.name.tag.orm-field.django-orm-hints
#                                                                       ^^^^^^ keyword.operator.orm-lookup.django-orm-hints
qs.values("published_on__year", "created__date__year__gte", "data__has_key")
#          ^^^^^^^^^^^^ entity.name.tag.orm-field.django-orm-hints
#                      ^^ punctuation.separator.orm-lookup.django-orm-hints
#                        ^^^^ keyword.operator.orm-lookup.transform.django-orm-hints
#                                ^^^^^^^ entity.name.tag.orm-field.django-orm-hints
#                                         ^^^^ keyword.operator.orm-lookup.transform.django-orm-hints
#                                               ^^^^ keyword.operator.orm-lookup.transform.django-orm-hints
#                                                     ^^^ keyword.operator.orm-lookup.django-orm-hints
#                                                            ^^^^ entity.name.tag.orm-field.django-orm-hints
#                                                                  ^^^^^^^ keyword.operator.orm-lookup.django-orm-hints

# A lookup or transform name is only one after a field, in the trailing run; elsewhere it is a field.
qs.values("in_stock", "date", "year__title", "exact__name", "author__range_start", "author__year__name")
#          ^^^^^^^^ entity.name.tag.orm-field.django-orm-hints
#                      ^^^^ entity.name.tag.orm-field.django-orm-hints
#                              ^^^^ entity.name.tag.orm-field.django-orm-hints
#                                    ^^^^^ entity.name.tag.orm-field.django-orm-hints
#                                             ^^^^^ entity.name.tag.orm-field.django-orm-hints
#                                                    ^^^^ entity.name.tag.orm-field.django-orm-hints
#                                                                    ^^^^^^^^^^^ entity.name.tag.orm-field.django-orm-hints - keyword
#                                                                                                 ^^^^ entity.name.tag.orm-field.django-orm-hints
#                                                                                           ^^^^ entity.name.tag.orm-field.django-orm-hints - keyword

# Field names may hold single underscores; `a___b` is `a`, `__`, `_b`.
qs.only("pub_date__last_name", "a___b")
#        ^^^^^^^^ entity.name.tag.orm-field.django-orm-hints
#                ^^ punctuation.separator.orm-lookup.django-orm-hints
#                  ^^^^^^^^^ entity.name.tag.orm-field.django-orm-hints
#                               ^ entity.name.tag.orm-field.django-orm-hints
#                                ^^ punctuation.separator.orm-lookup.django-orm-hints
#                                  ^^ entity.name.tag.orm-field.django-orm-hints

# order_by: the leading `-`, and `?` for random order.
qs.order_by("-published_on", "title", "?", "-author__name__lower")
#  ^^^^^^^^ meta.orm-call.django-orm-hints meta.function-call.generic.python
#           ^ punctuation.definition.string.begin.python
#            ^ string.quoted.single.python meta.orm-lookup.django-orm-hints keyword.operator.order.descending.django-orm-hints
#             ^^^^^^^^^^^^ entity.name.tag.orm-field.django-orm-hints
#                             ^^^^^ entity.name.tag.orm-field.django-orm-hints
#                                      ^ constant.language.order.random.django-orm-hints
#                                           ^ keyword.operator.order.descending.django-orm-hints
#                                            ^^^^^^ entity.name.tag.orm-field.django-orm-hints
#                                                  ^^ punctuation.separator.orm-lookup.django-orm-hints
#                                                    ^^^^ entity.name.tag.orm-field.django-orm-hints
#                                                          ^^^^^ entity.name.tag.orm-field.django-orm-hints

# Outside order_by a `-` is not part of a path: the string is left to source.python.
qs.only("-title")
#        ^^^^^^ string.quoted.single.python - meta.orm-lookup.django-orm-hints keyword

# Prefetch: the lookup (positional or lookup=) is a path; to_attr and queryset are ordinary Python.
Prefetch("books__reviews", queryset=Review.objects.only("stars"), to_attr="top_reviews")
# <-------- meta.function-call.python meta.orm-call.django-orm-hints meta.function-call.generic.python
#         ^^^^^ entity.name.tag.orm-field.django-orm-hints
#              ^^ punctuation.separator.orm-lookup.django-orm-hints
#                ^^^^^^^ entity.name.tag.orm-field.django-orm-hints
#                          ^^^^^^^^ variable.parameter.function-call.python
#                                                        ^^^^^ entity.name.tag.orm-field.django-orm-hints
#                                                                 ^^^^^^^ variable.parameter.function-call.python
#                                                                          ^^^^^^^^^^^ string.quoted.single.python - meta.orm-lookup.django-orm-hints entity.name.tag
models.Prefetch(lookup="author__publisher")
#      ^^^^^^^^ meta.orm-call.django-orm-hints meta.function-call.generic.python
#               ^^^^^^ variable.parameter.function-call.python
#                     ^ keyword.operator.assignment.python
#                       ^^^^^^ entity.name.tag.orm-field.django-orm-hints
#                               ^^^^^^^^^ entity.name.tag.orm-field.django-orm-hints

# Multi-line calls, with comments between the arguments.
qs = (
    Book.objects.prefetch_related(
        "tags",  # the tags
#        ^^^^ entity.name.tag.orm-field.django-orm-hints
#                ^ comment.line.number-sign.python - meta.orm-lookup.django-orm-hints
        Prefetch(
            "reviews__author",
#            ^^^^^^^ entity.name.tag.orm-field.django-orm-hints
#                   ^^ punctuation.separator.orm-lookup.django-orm-hints
#                     ^^^^^^ entity.name.tag.orm-field.django-orm-hints
            queryset=Review.objects.select_related("author").order_by(
                "-created",
#                ^ keyword.operator.order.descending.django-orm-hints
#                 ^^^^^^^ entity.name.tag.orm-field.django-orm-hints
            ),
            to_attr="recent",
#                    ^^^^^^ string.quoted.single.python - entity.name.tag
        ),
    )
    .order_by("-published_on")
#              ^ keyword.operator.order.descending.django-orm-hints
#               ^^^^^^^^^^^^ entity.name.tag.orm-field.django-orm-hints
)
