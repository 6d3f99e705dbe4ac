from django import template

register = template.Library()


@register.simple_tag
def author_label(book, prefix=""):
    return f"{prefix}{book.author.name}"


@register.simple_tag(takes_context=True)
def editor_label(context, book):
    return book.editor.name if book.editor_id else context.get("none", "-")


@register.filter(name="publisher")
def publisher_of(author):
    return author.publisher.name


@register.simple_tag
def title_label(book):
    return book.title.upper()


@register.simple_tag
def first_tag(book):
    book = book.tags.first()
    return book.name if book else ""
