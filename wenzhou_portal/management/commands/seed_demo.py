from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.module_loading import autodiscover_modules

from wenzhou_portal.demo import registered_seeders


class Command(BaseCommand):
    help = "Load realistic demo data (idempotent): staff accounts and every app's demo records."

    def handle(self, *args, **options) -> None:
        autodiscover_modules("demo")
        for name, seeder in registered_seeders():
            self.stdout.write(f"seeding: {name}")
            # All or nothing per seeder: a failure leaves no half demo behind that a re-run
            # would take for a finished one and skip.
            with transaction.atomic():
                seeder(self.stdout.write)
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
