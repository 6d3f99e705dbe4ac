# SYNTAX TEST "source.python" "strings that are not ORM lookup paths stay plain Python strings"

# Other calls are left alone.
print("author__publisher", 'book__title__icontains')
#      ^^^^^^^^^^^^^^^^^ string.quoted.single.python - meta.orm-lookup.django-orm-hints entity.name.tag
#                           ^^^^^^^^^^^^^^^^^^^^^^ string.quoted.single.python - meta.orm-lookup.django-orm-hints keyword
qs.filter("author__publisher")
#          ^^^^^^^^^^^^^^^^^ string.quoted.single.python - meta.orm-lookup.django-orm-hints

# So are other string kinds, empty strings and strings that are not a path.
qs.values(f"author__{name}", r"a__b", b"a__b", "", "a b", "a.b", """a__b""")
#           ^^^^^^^^ string.interpolated.python - meta.orm-lookup.django-orm-hints
#                              ^^^^ string.regexp.quoted.single.python - meta.orm-lookup.django-orm-hints
#                                       ^^^^ string.quoted.binary.single.python - meta.orm-lookup.django-orm-hints
#                                              ^^ string.quoted.single.python - meta.orm-lookup.django-orm-hints
#                                                   ^^^ string.quoted.single.python - meta.orm-lookup.django-orm-hints
#                                                          ^^^ string.quoted.single.python - meta.orm-lookup.django-orm-hints
#                                                                   ^^^^ string.quoted.multi.python - meta.orm-lookup.django-orm-hints

# Strings nested in other calls or containers inside the arguments are ordinary Python.
qs.values(total=Count("books__id"), names=ArrayAgg("name")).order_by(Lower("title").desc())
#               ^^^^^ meta.function-call.arguments.python meta.function-call.python meta.function-call.generic.python
#                      ^^^^^^^^^ string.quoted.single.python - meta.orm-lookup.django-orm-hints
#                                                   ^^^^ string.quoted.single.python - meta.orm-lookup.django-orm-hints
#                                                                           ^^^^^ string.quoted.single.python - meta.orm-lookup.django-orm-hints
qs.only(*["title", "body"])
#       ^ keyword.operator.unpacking.arguments.python
#          ^^^^^ string.quoted.single.python - meta.orm-lookup.django-orm-hints

# Inside comments and strings nothing is injected.
# qs.select_related("author")
#    ^^^^^^^^^^^^^^ comment.line.number-sign.python - meta.orm-call.django-orm-hints
#                    ^^^^^^ comment.line.number-sign.python - entity.name.tag
doc = "qs.select_related('author')"
#         ^^^^^^^^^^^^^^ string.quoted.single.python - meta.orm-call.django-orm-hints
#                         ^^^^^^ string.quoted.single.python - entity.name.tag

# Definitions named like the methods are not calls, and only methods (after a dot) count, except Prefetch.
class Prefetch(object):
#     ^^^^^^^^ entity.name.type.class.python - meta.orm-call.django-orm-hints
    def only(self, *fields):
#       ^^^^ entity.name.function.python - meta.orm-call.django-orm-hints
        return values("a__b")
#              ^^^^^^ meta.function-call.generic.python - meta.orm-call.django-orm-hints
#                      ^^^^ string.quoted.single.python - meta.orm-lookup.django-orm-hints

# Bare attribute reads and argument-less calls keep the usual scopes.
fields = (qs.only, d.values())
#            ^^^^ meta.attribute.python - meta.orm-call.django-orm-hints
#                    ^^^^^^ meta.function-call.generic.python
#                          ^ punctuation.definition.arguments.begin.python
#                           ^ punctuation.definition.arguments.end.python
