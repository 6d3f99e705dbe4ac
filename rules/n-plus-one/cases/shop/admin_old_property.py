from django.contrib import admin

from .models import Printing


class PrintingAdmin(admin.ModelAdmin):
    # Printing.__str__ reads book through a property declared with property(getter): a new list_select_related must
    # keep book, which Django's default join covers.
    list_display = ("__str__", "translator")  # expect: n-plus-one


admin.site.register(Printing, PrintingAdmin)
