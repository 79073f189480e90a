"""The Jinja2 environment of the hot templates (core/jinja.py)."""

from __future__ import annotations


def test_the_hot_templates_build_the_same_urls_as_reverse():
    """core.jinja.url fills integer arguments into a URL reversed once per process."""
    from django.urls import reverse

    from core.jinja import url

    for name, args in [
        ("community:post-react", (5,)),
        ("moderation:flag", ("post", 123)),
        ("community:profile", ("camille",)),
        ("community:post-edit", (9_876_543_210,)),
    ]:
        assert url(name, *args) == reverse(name, args=args)
