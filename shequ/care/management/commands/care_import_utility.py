"""python manage.py care_import_utility readings.csv — see shequ/care/importing.py for the format."""

from django.core.management.base import BaseCommand, CommandError

from shequ.care.importing import import_utility_readings


class Command(BaseCommand):
    help = "Import water readings; 48 hours without water at an elder's home becomes a discovery entry."

    def add_arguments(self, parser):
        parser.add_argument("path")

    def handle(self, *args, path: str, **options):
        try:
            with open(path, encoding="utf-8") as f:
                text = f.read()
        except OSError as exc:
            raise CommandError(str(exc)) from exc
        report = import_utility_readings(text)
        for error in report.errors:
            self.stderr.write(error)
        self.stdout.write(f"rows {report.rows}, new entries {report.entries}, bad rows {len(report.errors)}")
        if report.errors and not report.rows:
            raise CommandError("nothing imported")
