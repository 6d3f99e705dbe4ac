from django.contrib import admin

from .models import Edition


class EditionAdmin(admin.ModelAdmin):
    # Edition.__str__ reads book through the full_title property; Django's default join (translator is a foreign key
    # column) covers book, not the nullable translator. A new list_select_related must keep book.
    list_display = ("__str__", "translator")  # expect: n-plus-one


admin.site.register(Edition, EditionAdmin)
