"""The fast select renders what WTForms' own select renders, escaped."""

import re

from wtforms import Form, SelectChoice, SelectField

from lahti_pool.core.widgets import LongSelect


def test_long_select_matches_wtforms_and_escapes_labels():
    class Filter(Form):
        fast = SelectField(coerce=int, validate_choice=False, widget=LongSelect())
        plain = SelectField(coerce=int, validate_choice=False)

    form = Filter()
    choices = [SelectChoice(0, "Any")] + [
        SelectChoice(i, f'Ann "<b>{i}</b>" & Co') for i in range(1, 300)
    ]
    form.fast.choices = form.plain.choices = choices
    form.fast.data = form.plain.data = 42
    fast, plain = str(form.fast()), str(form.plain())

    def options(html: str) -> list[tuple[str, bool, str]]:
        return [
            (value, " selected" in attrs or "selected " in attrs, label)
            for attrs, value, label in re.findall(
                r'<option ((?:selected )?value="([^"]*)"(?: selected)?)>([^<]*)</option>', html
            )
        ]

    assert options(fast) == options(plain) and len(options(fast)) == 300
    assert [o for o in options(fast) if o[1]] == [("42", True, o[2]) for o in options(fast)[42:43]]
    assert "<b>" not in fast and "&lt;b&gt;" in fast and "&#34;" in fast
