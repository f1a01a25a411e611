from django import forms


class SubscribeForm(forms.Form):
    email = forms.EmailField(
        label="Your e-mail address",
        max_length=254,
        help_text="Used only to send these updates. You will be asked to confirm it.",
    )
