from promise.dataloader import DataLoader

from .models import Book


class BookByIdLoader(DataLoader):
    def batch_load(self, keys):
        books = Book.objects.in_bulk(keys)
        return [books.get(key) for key in keys]
