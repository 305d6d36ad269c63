from __future__ import annotations

from django.apps import AppConfig


class FsmAppConfig(AppConfig):
    name = "tests.workflows.fsm_app"
    label = "fsm_app"
    verbose_name = "Workflow engine test model"
