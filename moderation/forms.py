from django import forms
from django.utils.translation import gettext_lazy as _

from moderation.models import DecisionAction, NetiquetteRule, NetiquetteVersion, SanctionKind


class NetiquettePublishForm(forms.Form):
    note = forms.CharField(
        label=_("What changed"),
        max_length=NetiquetteVersion._meta.get_field("note").max_length,
        help_text=_("Members read this note when they are asked to accept the netiquette again."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class FlagForm(forms.Form):
    rule = forms.ModelChoiceField(
        label=_("Which rule of the netiquette does it break?"),
        queryset=None,
        empty_label=_("Choose a rule"),
    )
    comment = forms.CharField(
        label=_("Comment (optional)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Anything that helps the community team understand the problem."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rule"].queryset = NetiquetteRule.objects.filter(active=True).order_by("number")


class AppealForm(forms.Form):
    text = forms.CharField(
        label=_("Why should the decision change?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("You can appeal once. Another member of the community team reviews your appeal."),
    )


def _rules():
    return NetiquetteRule.objects.filter(active=True).order_by("number")


class DecisionForm(forms.Form):
    """The case page's decision; the service checks it again (rule, explanation, ladder, override)."""

    action = forms.ChoiceField(label=_("Decision"), choices=DecisionAction.choices, widget=forms.RadioSelect)
    rule = forms.ModelChoiceField(label=_("Rule of the netiquette"), queryset=None, required=False)
    explanation = forms.CharField(
        label=_("Explanation for the author"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required for every decision but approve and dismiss; the author reads it."),
    )
    body = forms.CharField(
        label=_("Corrected text (edit and approve)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    sanction = forms.ChoiceField(
        label=_("Sanction for the author"),
        choices=SanctionKind.choices,
        initial=SanctionKind.NONE,
        required=False,
        widget=forms.RadioSelect,
    )
    sanction_days = forms.IntegerField(
        label=_("Days of suspension"), required=False, min_value=1, max_value=3650
    )
    override_reason = forms.CharField(
        label=_("Reason for departing from the ladder"), required=False, max_length=500
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rule"].queryset = _rules()


class AppealDecisionForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=[("upheld", _("Uphold the appeal: restore the content, lift the sanction")),
                 ("rejected", _("Reject the appeal: the decision stands"))],
        widget=forms.RadioSelect,
    )  # fmt: skip
    explanation = forms.CharField(
        label=_("Explanation for the author"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class BulkRemoveForm(forms.Form):
    rule = forms.ModelChoiceField(label=_("Rule of the netiquette"), queryset=None)
    explanation = forms.CharField(
        label=_("Explanation for the authors"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rule"].queryset = _rules()
