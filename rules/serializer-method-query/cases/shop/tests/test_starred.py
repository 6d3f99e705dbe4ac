from ..silent import StarredSerializer


def test_fields():
    # A test that builds the serializer with no instance lists nothing in production.
    assert "star_count" in StarredSerializer().fields
