"""The enterprise user's home page (issue 14, "Tenants"): what is due, by when, the latest bill,
an overdue warning, open tickets and one "report a payment" action, scoped to their enterprise.

The bills are inserted directly with chosen amounts, and the figures the page must show are
computed here from those rows, not by the code under test."""

from __future__ import annotations

from datetime import date, timedelta

from parkops.billing.models import Bill
from parkops.billing.run import shanghai_today
from tests.integration.billing.factories import active_contract
from tests.integration.tickets.factories import file, identity

OPEN = ("issued", "partially_paid")


def yuan(fen: int) -> str:
    """The oracle's own formatting of an amount: ¥12,345.67."""
    whole, cents = divmod(fen, 100)
    return f"¥{whole:,}.{cents:02d}"


def number(bill: Bill) -> str:
    return f"ZD-{bill.run_month:%Y%m}-{bill.id:06d}"


def row(status: str, issued: int, due: int, total: int, paid: int = 0, credited: int = 0):
    """A bill issued ``issued`` days before today and due ``due`` days from today."""
    today = shanghai_today()
    return dict(
        status=status,
        issue_date=today - timedelta(issued),
        due_date=today + timedelta(due),
        total_fen=total,
        paid_fen=paid,
        credited_fen=credited,
    )


async def insert_bills(db, contract, rows: list[dict]) -> list[Bill]:
    """One bill per row (each in its own month, the unique key is per contract and month)."""
    bills = []
    for i, values in enumerate(rows):
        bill = Bill(
            park_id=contract.park_id,
            enterprise_id=contract.enterprise_id,
            contract_id=contract.id,
            run_month=date(2020 + i, 1, 1),
            **values,
        )
        db.add(bill)
        bills.append(bill)
    await db.flush()
    return bills


def money_card(home: str) -> str:
    card = home[home.index('class="card tenant-money') :]
    return card[: card.index("</section>")]


def open_fen(b: Bill) -> int:
    return b.total_fen - b.paid_fen - b.credited_fen if b.status in OPEN else 0


async def test_a_tenant_with_an_overdue_bill_sees_what_is_due_and_the_warning(
    client, db, login, test_settings
):
    today = shanghai_today()
    mine = await active_contract(db)
    theirs = await active_contract(db)
    bills = await insert_bills(
        db,
        mine,
        [
            row("partially_paid", 60, -40, 1_234_567, paid=200_000, credited=34_500),  # overdue
            row("issued", 20, -1, 88_801),  # overdue since yesterday
            row("issued", 2, 9, 2_500_003),  # the next due date
            row("issued", 1, 30, 410_000),  # due later, issued last: the latest bill
            # settled or not the tenant's to see: counted nowhere
            row("paid", 90, -70, 500_000, paid=500_000),
            row("void", 50, -45, 777_700),
            row("draft", 0, -3, 999_900),
        ],
    )
    [foreign] = await insert_bills(db, theirs, [row("issued", 0, -5, 6_543_210)])
    user = await login("enterprise_user", enterprise_id=mine.enterprise_id)
    await file(db, test_settings, await identity(db, user), subject="Old dispute")
    latest_ticket = await file(db, test_settings, await identity(db, user), subject="Power cut")

    due = sum(open_fen(b) for b in bills)
    overdue = sum(open_fen(b) for b in bills if b.due_date < today)
    upcoming = [b for b in bills if b.status in OPEN and b.due_date >= today]
    next_due = min(upcoming, key=lambda b: b.due_date)
    latest = max((b for b in bills if b.status != "draft"), key=lambda b: b.issue_date)
    assert (due, overdue) == (1_000_067 + 88_801 + 2_500_003 + 410_000, 1_000_067 + 88_801)

    page = await client.get("/")
    assert page.status_code == 200
    home = page.text
    card = money_card(home)
    assert f'data-fen="{due}"' in card and yuan(due) in card
    assert "Overdue" in card and yuan(overdue) in card
    assert "2 bills" in card  # how many are overdue
    assert next_due.due_date.isoformat() in card and yuan(open_fen(next_due)) in card
    assert f'href="/portal/bills/{latest.id}"' in card and number(latest) in card
    assert 'href="/portal/bills#report-payment"' in card and "Report a payment" in card
    # nothing of the draft, of the other enterprise's bill, of the void one
    for hidden in (999_900, 6_543_210, 777_700):
        assert yuan(hidden) not in home
    assert number(foreign) not in home and f"/portal/bills/{foreign.id}" not in home

    tickets = home[home.index('class="card tickets-card') :]
    assert f'href="/portal/tickets/{latest_ticket.id}"' in tickets and "Power cut" in tickets
    assert "Old dispute" not in tickets  # only the latest is named; the count covers both
    assert '<p class="stat">2</p>' in tickets

    # the same in Chinese
    client.cookies.set("parkops_lang", "zh")
    zh = (await client.get("/")).text
    assert "应付金额" in zh and "逾期" in zh and "申报付款" in zh and yuan(due) in zh


async def test_a_tenant_with_nothing_due_is_told_so(client, db, login):
    contract = await active_contract(db)
    [paid] = await insert_bills(db, contract, [row("paid", 40, -30, 300_000, paid=300_000)])
    await login("enterprise_user", enterprise_id=contract.enterprise_id)
    home = (await client.get("/")).text
    card = money_card(home)
    assert 'data-fen="0"' in card and "Nothing to pay" in card
    assert "Overdue" not in card and "Next due" not in card
    assert f'href="/portal/bills/{paid.id}"' in card
    assert 'href="/portal/bills#report-payment"' in card


async def test_a_tenant_without_bills_sees_an_empty_state(client, db, login):
    other = await active_contract(db)
    await insert_bills(db, other, [row("issued", 0, 0, 123_456)])
    await login("enterprise_user")  # an enterprise of its own, no bills
    home = (await client.get("/")).text
    card = money_card(home)
    assert "You have no bills yet." in card and "/portal/bills/" not in card
    assert yuan(123_456) not in home
    client.cookies.set("parkops_lang", "zh")
    assert "您还没有账单。" in (await client.get("/")).text


async def test_staff_do_not_get_the_tenant_card(client, login):
    await login("finance")
    home = (await client.get("/")).text
    assert "tenant-money" not in home
