from django import forms
from django.contrib.auth import authenticate, get_user_model
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.password_validation import validate_password
from django.utils.translation import gettext_lazy as _

from chizai.core import usernames
from chizai.core.models import Membership


class LoginForm(AuthenticationForm):
    """Authenticates the normalised user name, the one the lockout counts failures under."""

    error_messages = {
        "invalid_login": _("The user name or password is wrong. Note that the password is case-sensitive."),
        "inactive": _("This account is inactive."),
    }

    def clean_username(self):
        self.typed_username = self.cleaned_data["username"]
        return usernames.normalise(self.typed_username)

    def clean(self):
        try:
            return super().clean()
        except forms.ValidationError:
            # An account from before normalisation whose normalised name belongs to another
            # account kept its spelling (migration core.0004); it still logs in with it.
            typed = getattr(self, "typed_username", "")
            password = self.cleaned_data.get("password")
            if (
                not password
                or typed == self.cleaned_data.get("username")
                or not get_user_model().objects.filter(username=typed).exists()
            ):
                raise
            self.user_cache = authenticate(self.request, username=typed, password=password)
            if self.user_cache is None:
                raise
            self.confirm_login_allowed(self.user_cache)
            return self.cleaned_data


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("E-mail"))
    role = forms.ChoiceField(label=_("Role"), choices=Membership.Role.choices, initial=Membership.Role.ENGINEER)


class EngagementForm(forms.Form):
    adviser_username = forms.CharField(label=_("Adviser's user name"), max_length=150)
    scope = forms.CharField(label=_("Scope"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    ends_at = forms.DateField(
        label=_("Ends on (optional)"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean_adviser_username(self):
        username = usernames.normalise(self.cleaned_data["adviser_username"])
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise forms.ValidationError(_("No active user with that name."))
        self.adviser = user
        return username


class SignupFromInvitationForm(forms.Form):
    username = forms.CharField(label=_("User name"), max_length=150)
    password1 = forms.CharField(label=_("Password"), widget=forms.PasswordInput)
    password2 = forms.CharField(label=_("Password again"), widget=forms.PasswordInput)

    def clean_username(self):
        message = usernames.problem(self.cleaned_data["username"])
        if message:
            raise forms.ValidationError(message)
        username = usernames.normalise(self.cleaned_data["username"])
        if not username:
            raise forms.ValidationError(_("Please choose a user name."))
        if get_user_model().objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(_("That user name is taken. If it is yours, log in first."))
        return username

    def clean(self):
        super().clean()
        data = self.cleaned_data
        if data.get("password1") != data.get("password2"):
            raise forms.ValidationError(_("The two passwords differ."))
        if data.get("password1"):
            validate_password(data["password1"])
        return data


class AuditFilterForm(forms.Form):
    action = forms.CharField(label=_("Action"), required=False)
    actor = forms.CharField(label=_("Who"), required=False)
    object_type = forms.CharField(label=_("Object type"), required=False)
    date_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))


class ApiTokenForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
