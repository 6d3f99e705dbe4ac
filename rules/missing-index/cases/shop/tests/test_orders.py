from shop.models import Order


def test_placed_on():
    # queries in tests do not count
    assert not Order.objects.filter(placed_on="2024-01-01").exists()
