"""A plugin whose own import fails."""

import claimpolicy_no_such_dependency  # noqa: F401
