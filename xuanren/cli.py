"""The `xuanren` command: Django's manage.py plus the product's own commands
(demo, seed, journal verify …, all management commands of the apps)."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xuanren.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["xuanren", *sys.argv[1:]])


if __name__ == "__main__":
    main()
