class AccessMixin:
    """Permission helpers shared by models (the way RBAC packages add them)."""

    @classmethod
    def accessible_objects(cls, user):
        return cls._filter_for(user)
