from celery import shared_task
from django.core.mail import send_mail


@shared_task(bind=True, max_retries=3)
def notify(self, subject, body):
    # fine: a background task, not a view
    send_mail(subject, body, None, ["owner@example.com"])
