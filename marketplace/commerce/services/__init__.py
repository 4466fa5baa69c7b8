"""Commerce writes, one module per concern: checkout, fulfilment, webhooks, connect,
refunds (and disputes), downloads, bundle (the Blueprint zip), reviews and the order state
machine (orders)."""
