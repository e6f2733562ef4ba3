from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SuccessionConfig(AppConfig):
    name = "chizai.succession"
    label = "succession"
    verbose_name = _("Succession")
