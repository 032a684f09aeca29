"""The citizen's campaign pages, one module per concern; ``urls.py`` reaches them as ``views.X``.

Shared helpers and session keys live in ``common``. A test that patches a name patches it
in the module that looks it up (``campaigns.views.events``…), not here.
"""

from .events import (  # noqa: F401
    event_cancel,
    event_cancel_by_code,
    event_register,
    event_register_confirm,
)
from .pages import cover_image, detail, landing  # noqa: F401
from .pledges import (  # noqa: F401
    pledge_certificate,
    pledge_certificate_pdf,
    pledge_code,
    pledge_sign,
    pledge_signed,
)
from .votes import contest_enter, entry_image, entry_status, vote, voter_confirm  # noqa: F401
from .withdraw import pledge_withdraw, vote_withdraw  # noqa: F401
