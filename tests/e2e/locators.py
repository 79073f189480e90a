"""Locators shared by the journeys."""

from __future__ import annotations

import re


def field(scope, label: str):
    """A form field by its exact label, whatever suffix the language adds ("Mot de passe :")."""
    return scope.get_by_label(re.compile(rf"^\s*{re.escape(label)}\W*$"))
