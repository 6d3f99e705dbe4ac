from django.contrib import admin

from .models import Book


class EditedBookAdmin(admin.ModelAdmin):
    # author is a non-null foreign key column, so Django's select_related() joins it (and author.publisher); the
    # nullable editor is read per row. A new list_select_related replaces that default join: the fix names them all.
    list_display = ("title", "author", "author_publisher", "editor_name")

    def author_publisher(self, obj):
        return obj.author.publisher.name

    def editor_name(self, obj):
        return obj.editor.name if obj.editor_id else ""  # expect: n-plus-one


admin.site.register(Book, EditedBookAdmin)
