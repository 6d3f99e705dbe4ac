from promise.dataloader import DataLoader

from ..models import Author


class AuthorByIdLoader(DataLoader):
    def batch_load(self, keys):
        authors = Author.objects.in_bulk(keys)
        return [authors.get(key) for key in keys]
