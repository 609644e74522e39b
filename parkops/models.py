"""Imports every table module so the metadata is complete (Alembic, tests, CLI)."""

from parkops.accounts import models as accounts_models  # noqa: F401
from parkops.billing import common_shares as billing_common_shares  # noqa: F401
from parkops.billing import models as billing_models  # noqa: F401
from parkops.core import audit  # noqa: F401
from parkops.documents import models as documents_models  # noqa: F401
from parkops.enterprises import models as enterprises_models  # noqa: F401
from parkops.inventory import models as inventory_models  # noqa: F401
from parkops.leases import models as leases_models  # noqa: F401
from parkops.tickets import models as tickets_models  # noqa: F401
