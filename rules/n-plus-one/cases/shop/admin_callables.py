from django.contrib import admin

from .models import Book


class CallableColumnsAdmin(admin.ModelAdmin):
    # Functions of the admin's body named in list_display, not as strings: Django calls them with the row
    # (Kitsune's TopicAdmin).
    def editor_name(self):
        return self.editor.name  # expect: n-plus-one

    def tag_names(self):
        return ", ".join(t.name for t in self.tags.all())  # expect: n-plus-one

    list_display = ("title", editor_name, tag_names)


admin.site.register(Book, CallableColumnsAdmin)
