from django.core.management.base import BaseCommand
from django.utils.module_loading import autodiscover_modules

from wenzhou_portal.demo import registered_seeders


class Command(BaseCommand):
    help = "Load realistic demo data (idempotent): staff accounts and every app's demo records."

    def handle(self, *args, **options) -> None:
        autodiscover_modules("demo")
        for name, seeder in registered_seeders():
            self.stdout.write(f"seeding: {name}")
            seeder(self.stdout.write)
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
