from django.core.management.base import BaseCommand

from shop.ages import Probe
from shop.tests.integration import Messenger


class Command(BaseCommand):
    help = "Talks to a local test server"

    def handle(self, *args, **options):
        probe = Probe.objects.filter(code=options["code"]).first()
        Messenger().send(probe)
