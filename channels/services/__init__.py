"""channels' services: e-mail in (email_in) and out (email_out), IMAP polling (imap), webhooks
out (webhooks), and the desk's own addresses (addresses). Each module has one job."""
