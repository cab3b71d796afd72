from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MessagesConfig(AppConfig):
    name = "shequ.messages"
    label = "shequ_messages"  # "messages" is django.contrib.messages' label
    verbose_name = _("Message centre")
