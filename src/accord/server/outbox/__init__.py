"""The outbox engine: work written in the transaction of the change that causes it, then
claimed, sent, retried and set aside by one loop, whatever the channel (webhooks, mail,
the DSA Transparency Database)."""
