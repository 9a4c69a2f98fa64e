import gc
import os

from django.core.wsgi import get_wsgi_application

from xuanren.common.warmup import FreezingApplication

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xuanren.settings")
# Frozen again after the worker's first requests (decision 0197).
application = FreezingApplication(get_wsgi_application())
# Everything loaded so far (Django, the apps, their modules) lives as long as
# the worker: frozen, it is left out of the collector's full passes, which
# otherwise scan it all and pause a request for tens of milliseconds on a
# large heap; under --preload it also stays shared between the workers
# instead of being copied as the collector touches it (decision 0164).
gc.freeze()
