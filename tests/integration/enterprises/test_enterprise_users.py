"""Inviting enterprise users, accepting invitations, the portal page, disabling accounts."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from parkops.accounts.models import User, UserRole
from parkops.accounts.rules import tokens
from parkops.core import mail
from parkops.core.audit import AuditEntry
from parkops.core.web import SESSION_COOKIE
from parkops.enterprises.models import EnterpriseInvitation
from tests.integration.enterprises.factories import create_enterprise
from tests.support import create_user, make_client, post_form, sign_in

LINK = re.compile(r"http://testserver\.local/invite/([A-Za-z0-9_-]+)")


@pytest.fixture(autouse=True)
def _empty_outbox():
    mail.OUTBOX.clear()
    yield
    mail.OUTBOX.clear()


async def _invite(client, enterprise_id, email="zhang.min@example.cn", name="张敏"):
    return await post_form(
        client,
        f"/enterprises/{enterprise_id}/invitations",
        {"email": email, "display_name": name},
    )


def _token_from_outbox(to: str) -> str:
    message = mail.OUTBOX[-1]
    assert message.to == to
    match = LINK.search(message.body)
    assert match, message.body
    return match.group(1)


@pytest.fixture
async def staff(client, db, test_settings):
    user = await create_user(db, "leasing")
    await sign_in(client, db, test_settings, user)
    return user


async def test_invitation_is_emailed_and_only_its_hash_is_stored(client, db, staff):
    enterprise = await create_enterprise(db, name="庐山市暖阳羽绒服饰有限公司")
    response = await _invite(client, enterprise.id)
    assert response.status_code == 303, response.text
    token = _token_from_outbox("zhang.min@example.cn")
    assert "庐山市暖阳羽绒服饰有限公司" in mail.OUTBOX[-1].subject
    invitation = await db.scalar(
        sa.select(EnterpriseInvitation).where(EnterpriseInvitation.enterprise_id == enterprise.id)
    )
    assert invitation.token_hash == tokens.digest(token) and token not in invitation.token_hash
    lifetime = invitation.expires_at - invitation.created_at
    assert lifetime == timedelta(days=7)
    page = await client.get(f"/enterprises/{enterprise.id}")
    assert "zhang.min@example.cn" in page.text and "Pending" in page.text


async def test_invitee_creates_an_enterprise_user_and_lands_on_the_portal(app, client, db, staff):
    enterprise = await create_enterprise(db, name="九江童趣童装有限公司")
    await _invite(client, enterprise.id)
    token = _token_from_outbox("zhang.min@example.cn")

    async with make_client(app) as invitee:
        invitee.cookies.set("parkops_lang", "en")
        form = await invitee.get(f"/invite/{token}")
        assert form.status_code == 200 and "九江童趣童装有限公司" in form.text
        response = await post_form(
            invitee,
            f"/invite/{token}",
            {
                "display_name": "张敏",
                "username": "zhangmin",
                "password": "down-jackets-2026",
                "confirm_password": "down-jackets-2026",
            },
        )
        assert response.status_code == 303, response.text
        assert response.headers["location"] == "/portal/enterprise"
        assert invitee.cookies.get(SESSION_COOKIE)
        portal = await invitee.get("/portal/enterprise")
        assert portal.status_code == 200 and "九江童趣童装有限公司" in portal.text
        # The staff pages stay closed to an enterprise user.
        assert (await invitee.get("/enterprises")).status_code == 403

    user = await db.scalar(sa.select(User).where(User.username == "zhangmin"))
    assert user.enterprise_id == enterprise.id and user.email == "zhang.min@example.cn"
    roles = (await db.execute(sa.select(UserRole.role).where(UserRole.user_id == user.id))).all()
    assert [r.role for r in roles] == ["enterprise_user"]
    accepted = await db.scalar(
        sa.select(AuditEntry).where(AuditEntry.action == "enterprise_invitation_accepted")
    )
    assert accepted.after["user_id"] == user.id


async def test_a_used_link_says_so_and_creates_nobody(app, client, db, staff):
    enterprise = await create_enterprise(db)
    await _invite(client, enterprise.id)
    token = _token_from_outbox("zhang.min@example.cn")
    data = {
        "display_name": "张敏",
        "username": "first.user",
        "password": "down-jackets-2026",
        "confirm_password": "down-jackets-2026",
    }
    async with make_client(app) as invitee:
        invitee.cookies.set("parkops_lang", "en")
        assert (await post_form(invitee, f"/invite/{token}", data)).status_code == 303
    async with make_client(app) as again:
        again.cookies.set("parkops_lang", "en")
        page = await again.get(f"/invite/{token}")
        assert page.status_code == 410 and "already been used" in page.text
        users_before = await db.scalar(sa.select(sa.func.count()).select_from(User))
        second = await post_form(again, f"/invite/{token}", {**data, "username": "second.user"})
        assert second.status_code == 410 and "already been used" in second.text
        assert await db.scalar(sa.select(sa.func.count()).select_from(User)) == users_before


async def test_expired_withdrawn_and_unknown_links(app, client, db, staff):
    enterprise = await create_enterprise(db)
    await _invite(client, enterprise.id, email="a@example.cn")
    expired_token = _token_from_outbox("a@example.cn")
    await db.execute(
        sa.update(EnterpriseInvitation)
        .where(EnterpriseInvitation.token_hash == tokens.digest(expired_token))
        .values(expires_at=sa.func.now() - timedelta(minutes=1))
    )
    await _invite(client, enterprise.id, email="b@example.cn")
    withdrawn_token = _token_from_outbox("b@example.cn")
    invitation_id = await db.scalar(
        sa.select(EnterpriseInvitation.id).where(
            EnterpriseInvitation.token_hash == tokens.digest(withdrawn_token)
        )
    )
    revoke = await post_form(
        client, f"/enterprises/{enterprise.id}/invitations/{invitation_id}/revoke"
    )
    assert revoke.status_code == 303

    async with make_client(app) as anonymous:
        anonymous.cookies.set("parkops_lang", "en")
        expired = await anonymous.get(f"/invite/{expired_token}")
        assert expired.status_code == 410 and "This invitation expired on" in expired.text
        withdrawn = await anonymous.get(f"/invite/{withdrawn_token}")
        assert withdrawn.status_code == 410 and "withdrawn" in withdrawn.text
        unknown = await anonymous.get("/invite/not-a-real-token")
        assert unknown.status_code == 404 and "not valid" in unknown.text
        refused = await post_form(
            anonymous,
            f"/invite/{expired_token}",
            {"username": "late.comer", "password": "x" * 12, "confirm_password": "x" * 12},
        )
        assert refused.status_code == 410
    assert await db.scalar(sa.select(User.id).where(User.username == "late.comer")) is None


async def test_bad_choices_on_the_invite_form_are_shown_inline(app, client, db, staff):
    enterprise = await create_enterprise(db)
    await _invite(client, enterprise.id)
    token = _token_from_outbox("zhang.min@example.cn")
    await create_user(db, "finance", username="taken.name")
    async with make_client(app) as invitee:
        invitee.cookies.set("parkops_lang", "en")
        mismatch = await post_form(
            invitee,
            f"/invite/{token}",
            {
                "display_name": "张敏",
                "username": "zm",
                "password": "down-jackets-2026",
                "confirm_password": "different-one-2026",
            },
        )
        assert mismatch.status_code == 422 and 'id="e-confirm_password"' in mismatch.text
        taken = await post_form(
            invitee,
            f"/invite/{token}",
            {
                "display_name": "张敏",
                "username": "taken.name",
                "password": "down-jackets-2026",
                "confirm_password": "down-jackets-2026",
            },
        )
        assert taken.status_code == 422 and "already taken" in taken.text
    # The invitation is still usable after the failed attempts.
    invitation = await db.scalar(
        sa.select(EnterpriseInvitation).where(
            EnterpriseInvitation.token_hash == tokens.digest(token)
        )
    )
    assert invitation.accepted_at is None


async def test_invite_form_errors_and_a_new_invite_replaces_the_pending_one(client, db, staff):
    enterprise = await create_enterprise(db)
    bad = await _invite(client, enterprise.id, email="not-an-email", name="")
    assert bad.status_code == 422
    assert 'id="e-email"' in bad.text and 'id="e-display_name"' in bad.text
    assert not mail.OUTBOX
    await _invite(client, enterprise.id)
    first = _token_from_outbox("zhang.min@example.cn")
    await _invite(client, enterprise.id, email="Zhang.Min@example.cn")
    second = _token_from_outbox("Zhang.Min@example.cn")
    states = dict(
        (
            await db.execute(
                sa.select(EnterpriseInvitation.token_hash, EnterpriseInvitation.revoked_at).where(
                    EnterpriseInvitation.enterprise_id == enterprise.id
                )
            )
        ).all()
    )
    assert states[tokens.digest(first)] is not None and states[tokens.digest(second)] is None


async def test_a_mail_server_down_keeps_the_invitation_and_its_queued_email(
    db, staff, client, test_settings
):
    import socket

    from sqlalchemy.ext.asyncio import AsyncSession

    from parkops.app import create_app
    from tests.support import run_queued_jobs

    enterprise = await create_enterprise(db)
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings = test_settings.model_copy(
        update={"smtp_host": "127.0.0.1", "smtp_port": port, "smtp_starttls": False}
    )
    smtp_app = create_app(
        settings,
        session_maker=lambda: AsyncSession(
            bind=db.bind, join_transaction_mode="create_savepoint", expire_on_commit=False
        ),
    )
    async with make_client(smtp_app) as smtp_client:
        smtp_client.cookies.update(client.cookies)
        response = await _invite(smtp_client, enterprise.id)
    assert response.status_code == 303  # the user is not made to wait for the mail server
    count = await db.scalar(
        sa.select(sa.func.count())
        .select_from(EnterpriseInvitation)
        .where(EnterpriseInvitation.enterprise_id == enterprise.id)
    )
    assert count == 1
    # The email job fails while the server is down (the worker retries it with backoff).
    with pytest.raises(mail.MailNotSent):
        await run_queued_jobs(db, settings)
    assert not mail.OUTBOX


async def test_staff_disable_and_enable_an_enterprise_user(app, client, db, staff, test_settings):
    enterprise = await create_enterprise(db)
    member = await create_user(db, "enterprise_user", enterprise_id=enterprise.id)
    outsider = await create_user(db, "enterprise_user")
    page = await client.get(f"/enterprises/{enterprise.id}")
    assert member.username in page.text and outsider.username not in page.text

    async with make_client(app) as member_client:
        await sign_in(member_client, db, test_settings, member)
        assert (await member_client.get("/portal/enterprise")).status_code == 200
        response = await post_form(
            client, f"/enterprises/{enterprise.id}/users/{member.id}/disable"
        )
        assert response.status_code == 303
        await db.refresh(member)
        assert member.is_active is False
        # Signed out at once: the session was revoked with the account.
        after = await member_client.get("/portal/enterprise", follow_redirects=False)
        assert after.status_code == 303 and after.headers["location"].startswith("/login")

    # Another enterprise's user through this enterprise's URL: not found, and not disabled.
    wrong = await post_form(client, f"/enterprises/{enterprise.id}/users/{outsider.id}/disable")
    assert wrong.status_code == 404
    await db.refresh(outsider)
    assert outsider.is_active is True

    enabled = await post_form(client, f"/enterprises/{enterprise.id}/users/{member.id}/enable")
    assert enabled.status_code == 303
    await db.refresh(member)
    assert member.is_active is True


async def test_portal_shows_only_the_users_own_enterprise(client, db, test_settings):
    mine = await create_enterprise(
        db, name="庐山市优贝童装有限公司", shops=[{"platform": "jd", "shop_name": "优贝京东店"}]
    )
    other = await create_enterprise(db, name="庐山市别家服饰有限公司")
    user = await create_user(db, "enterprise_user", enterprise_id=mine.id)
    await sign_in(client, db, test_settings, user)
    page = await client.get("/portal/enterprise")
    assert page.status_code == 200
    assert "庐山市优贝童装有限公司" in page.text and "优贝京东店" in page.text
    assert other.name not in page.text and other.uscc not in page.text
    assert (await client.get(f"/enterprises/{other.id}")).status_code == 403


async def test_staff_have_no_portal(client, db, test_settings):
    user = await create_user(db, "park_admin")
    await sign_in(client, db, test_settings, user)
    assert (await client.get("/portal/enterprise")).status_code == 403
