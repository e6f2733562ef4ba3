from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "chizai.core"
    label = "core"
    verbose_name = _("Organisations and audit")

    def ready(self):
        # Receivers rather than calls in services: organisations and accounts are also made
        # by factories, the demo, createsuperuser and scripts, and every one of them must get
        # its audit chain (so verify can demand it) and a normalised user name.
        from django.contrib.auth import get_user_model
        from django.db.models.signals import post_save, pre_save

        from chizai.core import audit, checks, usernames
        from chizai.core.models import Organization

        checks.register()

        post_save.connect(audit.open_organization_chain, sender=Organization, dispatch_uid="chizai-audit-open-chain")
        pre_save.connect(
            usernames.normalise_new_user, sender=get_user_model(), dispatch_uid="chizai-normalise-username"
        )
