"""What every QGIS client script shares: a headless QGIS application, checks that print `ok`/`FAIL`, and an exit
that prints `N failed` (the Rust tests look for `0 failed`). Layers must be deleted before `finish()`, or QGIS
crashes on exit."""
import sys

from qgis.core import QgsApplication

failures = []
app = QgsApplication([], False)
app.initQgis()


def check(cond, msg):
    print(("ok   " if cond else "FAIL ") + msg)
    if not cond:
        failures.append(msg)


def finish():
    app.exitQgis()
    print(f"{len(failures)} failed")
    sys.exit(1 if failures else 0)
