from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from reporting.models import Survey


class SurveyForm(forms.ModelForm):
    class Meta:
        model = Survey
        fields = ["kind", "question_fr", "question_en", "every_days", "sample_size", "open_days", "active"]
        help_texts = {
            "kind": _(
                "Satisfaction: how satisfied are you… (1 to 5). Recommendation: how likely are you to "
                "recommend… (0 to 10, the Net Promoter Score)."
            ),
            "sample_size": _(
                "Picked at random among the members active in the last 30 days who may be mailed; no "
                "member is asked twice in 60 days."
            ),
        }


class AnswerForm(forms.Form):
    score = forms.TypedChoiceField(label=_("Your answer"), coerce=int, widget=forms.RadioSelect)
    comment = forms.CharField(
        label=_("A comment? (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, survey: Survey, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["score"].choices = [(score, str(score)) for score in survey.scale]
        self.fields["score"].label = survey.question
