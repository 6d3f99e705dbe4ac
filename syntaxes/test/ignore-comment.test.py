# SYNTAX TEST "source.python" "the # orm-hints: ignore[...] suppression comment"

for book in books:
    print(book.author.name)  # orm-hints: ignore[n-plus-one]
#                            ^ comment.line.number-sign.python punctuation.definition.comment.python
#                             ^ comment.line.number-sign.python comment.line.orm-hints-ignore.django-orm-hints
#                              ^^^^^^^^^ comment.line.number-sign.python comment.line.orm-hints-ignore.django-orm-hints keyword.other.directive.orm-hints.django-orm-hints
#                                       ^ punctuation.separator.directive.django-orm-hints
#                                         ^^^^^^ keyword.other.directive.ignore.django-orm-hints
#                                               ^ punctuation.definition.rule-ids.begin.django-orm-hints
#                                                ^^^^^^^^^^ meta.rule-ids.django-orm-hints constant.other.rule-id.django-orm-hints
#                                                          ^ punctuation.definition.rule-ids.end.django-orm-hints

x = book.author.id  # orm-hints: ignore[fk-id, n-plus-one,queryset-in-loop]
#                                       ^^^^^ constant.other.rule-id.django-orm-hints
#                                            ^ punctuation.separator.rule-id.django-orm-hints
#                                             ^ meta.rule-ids.django-orm-hints - constant.other.rule-id
#                                              ^^^^^^^^^^ constant.other.rule-id.django-orm-hints
#                                                        ^ punctuation.separator.rule-id.django-orm-hints
#                                                         ^^^^^^^^^^^^^^^^ constant.other.rule-id.django-orm-hints
#                                                                         ^ punctuation.definition.rule-ids.end.django-orm-hints

# A bare ignore (every rule), no spaces, and after other comment text.
y = len(qs)  # orm-hints: ignore
#              ^^^^^^^^^ keyword.other.directive.orm-hints.django-orm-hints
#                         ^^^^^^ keyword.other.directive.ignore.django-orm-hints
y = len(qs)  #orm-hints:ignore[queryset-len]
#             ^^^^^^^^^ keyword.other.directive.orm-hints.django-orm-hints
#                       ^^^^^^ keyword.other.directive.ignore.django-orm-hints
#                              ^^^^^^^^^^^^ constant.other.rule-id.django-orm-hints
y = len(qs)  # noqa: E501  # orm-hints: ignore[queryset-len]
#              ^^^^ comment.line.number-sign.python - comment.line.orm-hints-ignore
#                          ^ comment.line.orm-hints-ignore.django-orm-hints punctuation.definition.comment.python
#                            ^^^^^^^^^ keyword.other.directive.orm-hints.django-orm-hints
#                                              ^^^^^^^^^^^^ constant.other.rule-id.django-orm-hints

# A whole-line comment, and one inside a multi-line call.
# orm-hints: ignore[missing-only]
# <- comment.line.number-sign.python punctuation.definition.comment.python
# ^^^^^^^^^ keyword.other.directive.orm-hints.django-orm-hints
#                   ^^^^^^^^^^^^ constant.other.rule-id.django-orm-hints
qs = Book.objects.only(
    "title",  # orm-hints: ignore[missing-only]
#               ^^^^^^^^^ meta.orm-call.django-orm-hints comment.line.number-sign.python keyword.other.directive.orm-hints.django-orm-hints
#                                 ^^^^^^^^^^^^ constant.other.rule-id.django-orm-hints
)

# Not the directive: other words, or the marker inside a string.
z = 1  # orm-hints ignore[n-plus-one]
#        ^^^^^^^^^ comment.line.number-sign.python - keyword
s = "# orm-hints: ignore[n-plus-one]"
#      ^^^^^^^^^ string.quoted.single.python - keyword comment
