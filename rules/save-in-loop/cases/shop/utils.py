def reset_rating(review):
    review.rating = 0
    review.save(update_fields=["rating"])


def reset_rating_later(review, commit=False):
    review.rating = 0
    if commit:
        review.save(update_fields=["rating"])
    return review
