from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AdvisersConfig(AppConfig):
    name = "chizai.advisers"
    label = "advisers"
    verbose_name = _("Adviser workspace")
