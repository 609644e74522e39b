"""Staff HTML pages of the billing domain (the enterprise's are :mod:`parkops.billing.portal`)."""

from parkops.billing.pages.bills import BillPages
from parkops.billing.pages.meters import MeterPages, ReadingImportPages
from parkops.billing.pages.payments import PaymentPages
from parkops.billing.pages.reports import ReportPages

ROUTES = [BillPages, PaymentPages, MeterPages, ReadingImportPages, ReportPages]
