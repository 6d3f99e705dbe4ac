from django.apps import apps
from django.db.models import signals


def loan_saved(sender, instance, **kwargs):
    print(instance)


signals.post_save.connect(loan_saved, sender=apps.get_model("shop", "Loan"), dispatch_uid="loan_saved")
