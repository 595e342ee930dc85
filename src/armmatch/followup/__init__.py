"""Follow-up: resistance after an assigned arm, Simon two-stage designs and arm monitoring."""
