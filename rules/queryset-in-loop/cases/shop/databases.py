"""One query per database the loop picks (frePPLe's scenarios): no batching across iterations can join them."""
from .models import Author, Book


def notify_every_scenario(message, scenarios):
    for db in scenarios:
        admin = Author.objects.using(db).get(email="admin@example.com")
        admin.name = message
        admin.save(using=db)


def count_per_scenario(scenarios):
    counts = {}
    for db in scenarios:
        books = Book.objects.db_manager(db).all()
        counts[db] = books.count()
    return counts


def same_database(titles):
    # The database does not change with the loop: one query per title.
    for title in titles:
        Book.objects.using("default").filter(title=title).exists()  # expect: queryset-in-loop


class Import:
    def run(self, titles):
        # The database is the command's, the same on every pass; the loop assigns another attribute of self.
        for title in titles:
            self.done += 1
            Book.objects.using(self.database).filter(title=title).exists()  # expect: queryset-in-loop
