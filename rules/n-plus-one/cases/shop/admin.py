from django.contrib import admin
from django.template.loader import render_to_string

from .models import Author, Book, Review, Shelf, Volume


@admin.register(Book)
class BookAdmin(admin.ModelAdmin):
    list_display = ["title", "author_name", "tag_names"]

    def author_name(self, obj):
        return obj.author.name  # expect: n-plus-one

    def tag_names(self, obj):
        return ", ".join(t.name for t in obj.tags.all())  # expect: n-plus-one


class JoinedBookAdmin(admin.ModelAdmin):
    # list_select_related joins author for every row: silent.
    list_display = ("title", "author_name")
    list_select_related = ("author",)

    def author_name(self, obj):
        return obj.author.name


class AuthorAdmin(admin.ModelAdmin):
    # Only counts: a COUNT per row is not a relation load (and not this rule's business).
    list_display = ("name", "book_count")

    def book_count(self, obj):
        return obj.book_set.count()


class ReviewAdmin(admin.ModelAdmin):
    # book is a foreign key column: Django joins it (select_related()), so reading its author through a
    # non-null foreign key is joined too.
    list_display = ("rating", "book", "book_author")

    def book_author(self, obj):
        return obj.book.author.name


class EditorAdmin(admin.ModelAdmin):
    # select_related() follows non-null foreign keys only: the nullable editor is loaded per row.
    list_display = ("title", "author", "editor_name")

    def editor_name(self, obj):
        return obj.editor.name if obj.editor_id else ""  # expect: n-plus-one


admin.site.register(Author, AuthorAdmin)
admin.site.register(Review, ReviewAdmin)
admin.site.register(Book, EditorAdmin)



@admin.register(Shelf)
class ShelfAdmin(admin.ModelAdmin):
    list_display = ("name", "books", "owner_name")

    def books(self, obj):
        return render_to_string("shop/shelf_books.html", {"shelf": obj})  # expect: n-plus-one

    def owner_name(self, obj):
        return owner_label(obj)  # expect: n-plus-one


class JoinedShelfAdmin(admin.ModelAdmin):
    # Joined and prefetched where the changelist builds its queryset: silent.
    list_display = ("name", "books", "owner_name")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("owner").prefetch_related("books")

    def books(self, obj):
        return render_to_string("shop/shelf_books.html", {"shelf": obj})

    def owner_name(self, obj):
        return owner_label(obj)


def owner_label(shelf):
    return f"{shelf.name} ({shelf.owner.name})"


class VolumeAdmin(admin.ModelAdmin):
    # The nullable series is loaded per row, then its publisher for Series.__str__: one hint, for series__publisher.
    list_display = ("series",)  # expect: n-plus-one


admin.site.register(Volume, VolumeAdmin)


class SortedShelfAdmin(admin.ModelAdmin):
    # sorted_titles queries the books anew (all().order_by("title")): a prefetch of books would not serve it.
    list_display = ("name", "sorted_titles")


admin.site.register(Shelf, SortedShelfAdmin)
