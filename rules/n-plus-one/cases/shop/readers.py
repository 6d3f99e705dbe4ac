from .models import Reader


def card_numbers():
    # Reader.objects (a UserManager subclass) joins the card in get_queryset().
    return [r.card.number for r in Reader.objects.filter(is_active=True)]


def base_manager_cards():
    # _base_manager is a plain Manager: no join.
    return [r.card.number for r in Reader._base_manager.all()]  # expect: n-plus-one
