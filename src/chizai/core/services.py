"""Business operations on organisations, people, engagements, logins and tokens.

Every function takes the acting user first and checks the permission matrix itself
(through ``restrict``), so the web views, the API and the CLI cannot forget to.
Every write is recorded in the audit chain inside the same transaction.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chizai.core import audit
from chizai.core.access import Denied, NotFound, require, role_in
from chizai.core.models import (
    AdvisoryEngagement,
    ApiToken,
    Invitation,
    LoginAttempt,
    Membership,
    Organization,
    hash_token,
)
from chizai.core.querysets import forget_roles

User = get_user_model()


class ChizaiError(Exception):
    """A refusal with a message meant for the user (shown as is, never a traceback)."""


# --- organisations -------------------------------------------------------------------


@transaction.atomic
def create_organization(actor, *, slug: str, name_ja: str, owner=None, **fields) -> Organization:
    """Create an organisation; its creator (or ``owner``) becomes the owner."""
    org = Organization(slug=slug, name_ja=name_ja, **fields)
    org.full_clean()
    org.save()
    owner = owner or actor
    Membership.objects.create(user=owner, organization=org, role=Membership.Role.OWNER)
    forget_roles(owner)
    audit.record(
        actor,
        org,
        "organization.create",
        obj=org,
        summary=f"organisation {slug} created",
        data={"slug": slug},
        changes={"after": {"slug": slug, "name_ja": name_ja, **{k: str(v) for k, v in fields.items()}}},
    )
    return org


@transaction.atomic
def update_organization(actor, organization: Organization, **fields) -> Organization:
    require(actor, organization, "core", "change")
    before = {k: getattr(organization, k) for k in fields}
    for key, value in fields.items():
        setattr(organization, key, value)
    organization.full_clean()
    organization.save()
    audit.record(
        actor,
        organization,
        "organization.update",
        obj=organization,
        summary="organisation details changed",
        data={},
        changes={"before": before, "after": fields},
    )
    return organization


# --- members and invitations ---------------------------------------------------------


@transaction.atomic
def add_member(actor, organization: Organization, user, role: str) -> Membership:
    require(actor, organization, "core", "manage_members")
    if role == Membership.Role.OWNER and role_in(actor, organization) != "owner":
        raise Denied(_("Only an owner can make another owner."))
    membership, created = Membership.objects.update_or_create(
        user=user, organization=organization, defaults={"role": role}
    )
    forget_roles(user)
    audit.record(
        actor,
        organization,
        "membership.create" if created else "membership.update",
        obj=membership,
        summary=f"{user.get_username()} is {role}",
        data={"user": user.get_username(), "role": role},
        changes={"after": {"user": user.get_username(), "role": role}},
    )
    return membership


@transaction.atomic
def remove_member(actor, organization: Organization, membership: Membership) -> None:
    require(actor, organization, "core", "manage_members")
    if membership.organization_id != organization.pk:
        raise NotFound()
    if membership.role == Membership.Role.OWNER and organization.memberships.filter(role="owner").count() == 1:
        raise ChizaiError(_("An organisation needs at least one owner."))
    username = membership.user.get_username()
    audit.record(
        actor,
        organization,
        "membership.delete",
        obj=membership,
        summary=f"{username} removed",
        data={"user": username},
        changes={"before": {"user": username, "role": membership.role}},
    )
    membership.delete()
    forget_roles(membership.user)


@transaction.atomic
def invite(actor, organization: Organization, *, email: str, role: str, days_valid: int = 7) -> tuple[Invitation, str]:
    """Create an invitation; returns it and the one-time token for the link."""
    require(actor, organization, "core", "manage_members")
    if role == Membership.Role.OWNER and role_in(actor, organization) != "owner":
        raise Denied(_("Only an owner can invite another owner."))
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        organization=organization,
        email=email,
        role=role,
        token_hash=hash_token(token),
        created_by=actor,
        expires_at=timezone.now() + timedelta(days=days_valid),
    )
    audit.record(
        actor,
        organization,
        "invitation.create",
        obj=invitation,
        summary=f"{email} invited as {role}",
        data={"email": email, "role": role},
        changes={"after": {"email": email, "role": role, "expires_at": invitation.expires_at}},
    )
    return invitation, token


def find_invitation(token: str) -> Invitation:
    invitation = Invitation.objects.select_related("organization").filter(token_hash=hash_token(token)).first()
    if invitation is None:
        raise ChizaiError(_("This invitation link is not valid."))
    if invitation.revoked_at:
        raise ChizaiError(_("This invitation was withdrawn."))
    if invitation.accepted_at:
        raise ChizaiError(_("This invitation has already been used."))
    if invitation.is_expired:
        raise ChizaiError(
            _("This invitation expired on %(date)s. Ask for a new one.")
            % {"date": timezone.localtime(invitation.expires_at).strftime("%Y-%m-%d %H:%M")}
        )
    return invitation


@transaction.atomic
def accept_invitation(user, token: str) -> Membership:
    invitation = find_invitation(token)
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at:  # a second click racing the first
        raise ChizaiError(_("This invitation has already been used."))
    membership, _created = Membership.objects.get_or_create(
        user=user, organization=invitation.organization, defaults={"role": invitation.role}
    )
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    forget_roles(user)
    audit.record(
        user,
        invitation.organization,
        "invitation.accept",
        obj=invitation,
        summary=f"{user.get_username()} joined as {membership.role}",
        data={"user": user.get_username(), "role": membership.role},
    )
    return membership


# --- advisory engagements --------------------------------------------------------------


@transaction.atomic
def grant_engagement(
    actor, organization: Organization, adviser, *, scope: str = "", ends_at=None, adviser_organization=None
) -> AdvisoryEngagement:
    """Only the organisation's owner lets an adviser in."""
    require(actor, organization, "core", "manage_engagements")
    engagement = AdvisoryEngagement.objects.create(
        organization=organization,
        adviser=adviser,
        granted_by=actor,
        scope=scope,
        ends_at=ends_at,
        adviser_organization=adviser_organization,
    )
    forget_roles(adviser)
    audit.record(
        actor,
        organization,
        "engagement.grant",
        obj=engagement,
        summary=f"adviser {adviser.get_username()} granted access",
        data={"user": adviser.get_username()},
        changes={"after": {"adviser": adviser.get_username(), "scope": scope, "ends_at": ends_at}},
    )
    return engagement


@transaction.atomic
def end_engagement(actor, organization: Organization, engagement: AdvisoryEngagement) -> AdvisoryEngagement:
    require(actor, organization, "core", "manage_engagements")
    if engagement.organization_id != organization.pk:
        raise NotFound()
    engagement.status = AdvisoryEngagement.Status.ENDED
    engagement.ended_at = timezone.now()
    engagement.ended_by = actor
    engagement.save(update_fields=["status", "ended_at", "ended_by"])
    forget_roles(engagement.adviser)
    audit.record(
        actor,
        organization,
        "engagement.end",
        obj=engagement,
        summary=f"adviser {engagement.adviser.get_username()} access ended",
        data={"user": engagement.adviser.get_username()},
    )
    return engagement


# --- logins ------------------------------------------------------------------------------


def is_locked_out(username: str, client_ip: str) -> bool:
    window = timezone.now() - timedelta(seconds=settings.CHIZAI_LOGIN_LOCKOUT_SECONDS)
    recent = LoginAttempt.objects.filter(at__gte=window, succeeded=False)
    by_user = recent.filter(username__iexact=username).count()
    by_ip = recent.filter(client_ip=client_ip).count() if client_ip else 0
    limit = settings.CHIZAI_LOGIN_MAX_FAILURES
    return by_user >= limit or by_ip >= limit * 4


@transaction.atomic
def record_login(user, client_ip: str) -> None:
    LoginAttempt.objects.create(username=user.get_username(), client_ip=client_ip, succeeded=True)
    LoginAttempt.objects.filter(username__iexact=user.get_username(), succeeded=False).delete()
    orgs = list(Organization.objects.filter(memberships__user=user))
    for org in orgs:
        audit.record(user, org, "auth.login", object_type="auth.user", object_id=user.pk, summary="logged in", data={})
    if not orgs:
        audit.record(user, None, "auth.login", object_type="auth.user", object_id=user.pk, summary="logged in", data={})


@transaction.atomic
def record_failed_login(username: str, client_ip: str, locked: bool = False) -> None:
    LoginAttempt.objects.create(username=username[:150], client_ip=client_ip, succeeded=False)
    user = User.objects.filter(username__iexact=username).first()
    summary = "login refused: account locked" if locked else "failed login"
    orgs = list(Organization.objects.filter(memberships__user=user)) if user else []
    for org in orgs:
        audit.record(
            None,
            org,
            "auth.login_failed",
            object_type="auth.user",
            object_id=user.pk if user else "",
            summary=f"{summary} for {username}",
            data={"user": username[:150], "variant": "locked" if locked else ""},
        )
    if not orgs:
        audit.record(
            None,
            None,
            "auth.login_failed",
            object_type="auth.user",
            summary=f"{summary} for {username[:150]}",
            data={"user": username[:150], "variant": "locked" if locked else ""},
        )


# --- API tokens -------------------------------------------------------------------------

TOKEN_PREFIX = "chz_"


@transaction.atomic
def create_api_token(user, *, name: str, days_valid: int | None = 365) -> tuple[ApiToken, str]:
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=secret[len(TOKEN_PREFIX) : len(TOKEN_PREFIX) + 8],
        key_hash=hash_token(secret),
        expires_at=timezone.now() + timedelta(days=days_valid) if days_valid else None,
    )
    audit.record(user, None, "api_token.create", obj=token, summary=f"API token '{name}' created", data={"name": name})
    return token, secret


@transaction.atomic
def revoke_api_token(user, token: ApiToken) -> None:
    if token.user_id != user.pk:
        raise NotFound()
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit.record(
        user,
        None,
        "api_token.revoke",
        obj=token,
        summary=f"API token '{token.name}' revoked",
        data={"name": token.name},
    )


def user_for_api_token(secret: str):
    if not secret or not secret.startswith(TOKEN_PREFIX):
        return None
    token = ApiToken.objects.select_related("user").filter(key_hash=hash_token(secret)).first()
    if token is None or not token.is_usable or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=5):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def validate_slug_free(slug: str) -> None:
    if Organization.objects.filter(slug=slug).exists():
        raise ValidationError(_("That short name is taken."))
