"""Settings for the server that bench/intake.py starts: the platform's own settings, with a
URLconf that adds the peer view (bench/intake_urls.py). Nothing else differs, so both
endpoints run on the same server, workers, middleware and database."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "intake_urls"
