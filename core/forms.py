"""Form helpers every app's views share."""

from __future__ import annotations

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError


def form_errors_add(
    form: forms.Form, error: ValidationError | PermissionDenied, field: str | None = None
) -> None:
    """Put a service's refusal on the form: per field when the error names fields the form has, else on
    `field` (None: the whole form). A PermissionDenied's sentence goes on the whole form."""
    if isinstance(error, PermissionDenied):
        form.add_error(None, str(error))
    elif hasattr(error, "error_dict"):
        for name, errors in error.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(field, error.messages)
