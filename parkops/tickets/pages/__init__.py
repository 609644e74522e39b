"""Staff HTML pages of the tickets domain (the enterprise's are :mod:`parkops.tickets.portal`)."""

from parkops.tickets.pages.catalogue import CalendarPages, CataloguePages
from parkops.tickets.pages.notifications import NotificationPages
from parkops.tickets.pages.oversight import StatisticsPages, SupervisionPages, TicketRecordPages
from parkops.tickets.pages.tickets import TicketPages

ROUTES = [
    TicketPages,
    CataloguePages,
    CalendarPages,
    NotificationPages,
    SupervisionPages,
    StatisticsPages,
    TicketRecordPages,
]
